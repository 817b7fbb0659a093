package io.lethe.learning.data;

/** The one scaling of 8-bit pixels to network and feature-map inputs: intensity in [0, 1]. */
public final class Pixels {

    private Pixels() {
    }

    /** An unsigned 8-bit pixel as a float in [0, 1]. */
    public static float intensity(byte pixel) {
        return (pixel & 0xff) / 255f;
    }
}
