package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.TrainingExample;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Burst batching of erasures, for engines that unlearn in batches: each request's examples leave the
 * state at once (durably, with its transaction), while the model unlearns everything a window's
 * requests removed in one go when the window closes; then each request gets its receipt. The
 * requests wait in the changelogged {@code pending-erasures} store, so a crash inside a window loses
 * none (the journal replay has unlearned their examples by then).
 */
final class ErasureWindow {

    /** The requests of a closed window and what to unlearn for them. */
    record Closed(List<TrainingExample> toUnlearn, Map<String, Long> removedByRequest, Map<String, ErasureRequest> requests) {
    }

    private final KeyValueStore<String, byte[]> pending;
    private final long windowMs;
    private final List<TrainingExample> toUnlearn = new ArrayList<>();
    private final Map<String, ErasureRequest> requests = new HashMap<>();
    private long openSince;

    ErasureWindow(KeyValueStore<String, byte[]> pending, long windowMs) {
        this.pending = pending;
        this.windowMs = windowMs;
        try (KeyValueIterator<String, byte[]> any = pending.all()) {
            if (any.hasNext()) {
                openSince = 1; // requests left from before a restart: answered at the first tick
            }
        }
    }

    /** Adds a request whose examples already left the state; {@code learned} are those the model must unlearn. */
    void add(ErasureRequest request, long removed, List<TrainingExample> learned, long now) {
        toUnlearn.addAll(learned);
        byte[] encoded = AvroCodec.ERASURE_REQUEST.encode(request);
        pending.put(request.getRequestId(), ByteBuffer.allocate(8 + encoded.length).putLong(removed).put(encoded).array());
        requests.put(request.getRequestId(), request);
        if (openSince == 0) {
            openSince = now;
        }
    }

    boolean due(long now) {
        return openSince > 0 && now - openSince >= windowMs;
    }

    /** Whether the model still holds examples whose unlearning waits for the window (the journal must keep them). */
    boolean holdsUnlearnedExamples() {
        return !toUnlearn.isEmpty();
    }

    /** Closes the window: what to unlearn, and every waiting request (in id order) with its removed count. */
    Closed close() {
        Map<String, Long> removed = new TreeMap<>();
        Map<String, ErasureRequest> all = new HashMap<>(requests);
        try (KeyValueIterator<String, byte[]> stored = pending.all()) {
            stored.forEachRemaining(kv -> {
                ByteBuffer value = ByteBuffer.wrap(kv.value);
                removed.put(kv.key, value.getLong());
                byte[] encoded = new byte[value.remaining()];
                value.get(encoded);
                // After a restart only the store knows the request; the journal replay already unlearned it.
                all.putIfAbsent(kv.key, AvroCodec.ERASURE_REQUEST.decode(encoded));
            });
        }
        Closed closed = new Closed(new ArrayList<>(toUnlearn), removed, all);
        toUnlearn.clear();
        return closed;
    }

    /** The closed window's requests were answered in the same transaction. */
    void answered(Closed closed) {
        closed.removedByRequest().keySet().forEach(pending::delete);
        requests.clear();
        openSince = 0;
    }
}
