package io.lethe.streams.topology;

import java.util.List;

/**
 * What a learning engine needs from the topology and the processor, declared rather than branched
 * on: the topology adds the stores it names, and the processor batches erasures and snapshots as it
 * says.
 *
 * @param extraStores names of string-to-bytes stores the engine uses beside the common ones
 * @param batchesErasures whether erasures within {@code lethe.erasure.batch.window.ms} are unlearned
 *     together (in a changelogged pending-erasures store), rather than one by one at once
 * @param snapshotsAfterErasure whether the learner is snapshotted after every erasure, so the journal
 *     (which holds erased examples' bytes for replay) is cut back at once
 * @param exact whether unlearning equals retraining without the data (the oracle is then pointless)
 */
public record EngineCapabilities(List<String> extraStores, boolean batchesErasures, boolean snapshotsAfterErasure,
                                 boolean exact) {

    public EngineCapabilities {
        extraStores = List.copyOf(extraStores);
    }
}
