/**
 * Frozen, seeded, data-independent feature maps. Because they never learn, a model built on them
 * can forget exactly: removing an example only needs its recomputed features.
 */
package io.lethe.learning.feature;
