package io.lethe.learning.strategy;

import io.lethe.learning.replay.ReplayBuffer;

/** A strategy that trains on the replay trainer's buffer (k-FPF, FPF), given it once the trainer exists. */
public interface BufferedStrategy {

    void useBuffer(ReplayBuffer<float[]> buffer);
}
