/**
 * {@code lethe audit}: what of a subject's data, or of an erasure request's, Lethe's topics, stores,
 * snapshots and model store still hold, read as someone with topic access, disk access and the
 * key-encryption key could: each copy still readable, and each found but no longer decryptable. The
 * check behind a receipt's claims, run after the fact.
 */
package io.lethe.tools.audit;
