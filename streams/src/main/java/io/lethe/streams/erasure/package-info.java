/**
 * The rules that decide which examples an erasure covers and which examples are held out as test
 * data. The live learner and the retrain oracle must apply the very same rules, or the oracle
 * retrains on a different data set than the one it checks: so each rule lives here once.
 */
package io.lethe.streams.erasure;
