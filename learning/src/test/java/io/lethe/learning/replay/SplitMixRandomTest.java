package io.lethe.learning.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Our generator draws exactly what the JDK's SplittableRandom draws, so replay results do not change. */
class SplitMixRandomTest {

    @Test
    void drawsWhatSplittableRandomDrawsAndRestoresFromItsState() {
        for (long seed : new long[] {0, 1, 3, 42, -7, Long.MAX_VALUE}) {
            SplittableRandom jdk = new SplittableRandom(seed);
            SplitMixRandom ours = new SplitMixRandom(seed);
            for (int i = 0; i < 20_000; i++) {
                int bound = 1 + (i % 2_500);
                switch (i % 5) {
                    case 0 -> assertEquals(jdk.nextInt(bound), ours.nextInt(bound));
                    case 1 -> assertEquals(jdk.nextLong(bound * 1_000_003L), ours.nextLong(bound * 1_000_003L));
                    case 2 -> assertEquals(jdk.nextLong(), ours.nextLong());
                    case 3 -> assertEquals(jdk.nextInt(), ours.nextInt());
                    default -> assertEquals(jdk.nextInt(1 << (i % 20)), ours.nextInt(1 << (i % 20)));
                }
            }
            SplitMixRandom restored = new SplitMixRandom(ours.state());
            for (int i = 0; i < 1_000; i++) {
                assertEquals(ours.nextInt(97), restored.nextInt(97));
            }
        }
    }
}
