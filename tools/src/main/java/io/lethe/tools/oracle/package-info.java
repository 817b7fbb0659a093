/**
 * The retrain oracle from the stream itself: replays the examples topic from the beginning,
 * skipping what the erasures topic covers, trains a fresh network with the model's seed and
 * configuration, and measures how far the live model is from it.
 */
package io.lethe.tools.oracle;
