package io.lethe.streams.topology;

import io.lethe.schemas.CopyAttestation;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.privacy.SubjectKeys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a receipt attests about each copy of the erased data, each item checked when the receipt is
 * written rather than assumed: rows deleted from the retained store and still readable there (0),
 * journal events that still hold the examples and can still be opened (0 once the key is gone), the
 * subject's data key destroyed (its id), the topics that will be purged and below which offsets, and
 * the versions whose checkpoints are revoked. Copies that only a later process removes (topic purges,
 * checkpoint files) say "scheduled"; {@code lethe audit} checks them afterwards.
 */
final class ErasureAttestation {

    private final LetheConfig config;
    private final RetainedExamples retained;
    private final DurableLearner durable;
    private final SubjectKeys keys;
    private final boolean snapshotsAfterErasure;

    ErasureAttestation(LetheConfig config, RetainedExamples retained, DurableLearner durable, boolean snapshotsAfterErasure) {
        this.config = config;
        this.retained = retained;
        this.durable = durable;
        this.keys = retained.keys();
        this.snapshotsAfterErasure = snapshotsAfterErasure;
    }

    /**
     * Destroys the data key of each subject erasure's subject (after the learner unlearned with it, in
     * the transaction of its receipt); returns request id -> the key id destroyed ("" when the subject
     * had no key). Other scopes keep keys: their subjects have other data.
     */
    Map<String, String> shredSubjectKeys(Map<String, ErasureRequest> requests) {
        Map<String, String> destroyed = new TreeMap<>();
        requests.forEach((id, request) -> {
            if (request.getScope() == ErasureScope.SUBJECT) {
                destroyed.put(id, keys.shred(request.getSubjectId()).orElse(""));
            }
        });
        return destroyed;
    }

    /**
     * What the stores still hold of the erased examples, checked once for all the requests a receipt
     * batch answers (after their keys were destroyed).
     */
    record Checked(long retainedReadable, DurableLearner.JournalCopies journal) {
    }

    Checked check(List<String> erasedKeys, long journalMark) {
        return new Checked(erasedKeys.stream().filter(retained::contains).count(),
                durable.journalCopies(new HashSet<>(erasedKeys), journalMark, keys));
    }

    /** The metrics form (kept from the first receipts that attested copies). */
    Map<String, Double> metrics(List<String> erasedKeys, Checked checked, long version) {
        Map<String, Double> attested = new TreeMap<>();
        if (erasedKeys.isEmpty()) {
            return attested;
        }
        attested.put("copies.retained_store_readable", (double) checked.retainedReadable());
        attested.put("copies.journal_until_next_snapshot", (double) checked.journal().readable());
        attested.put("copies.checkpoints_revoked_below_version", (double) version);
        return attested;
    }

    /** Every copy, for one request's receipt. */
    List<CopyAttestation> copies(ErasureRequest request, long removed, Checked checked, long bufferRemoved,
                                 Optional<String> keyDestroyed, long version, Map<String, Long> offsets) {
        List<CopyAttestation> copies = new ArrayList<>();
        if (removed == 0) {
            copies.add(copy("store:" + StoreNames.RETAINED_EXAMPLES, "none", 0, 0L, "no retained example matched"));
        } else {
            copies.add(copy("store:" + StoreNames.RETAINED_EXAMPLES, "deleted", removed, checked.retainedReadable(),
                    "rows deleted in the receipt's transaction (changelog tombstones)"));
            if (config.learnerKind().equals(LetheConfig.MLP)) {
                copies.add(copy("store:" + StoreNames.REPLAY_BUFFER, "deleted", bufferRemoved, null,
                        "replay-buffer entries of the erased examples (all erasures of this window)"));
            }
            copies.add(copy("store:" + StoreNames.LEARNER_JOURNAL, keys.encrypting() ? "sealed" : "kept",
                    checked.journal().held(), checked.journal().readable(),
                    "unlearn events hold the examples until the next learner snapshot cuts the journal"));
        }
        copies.add(keyCopy(request, keyDestroyed));
        copies.add(copy("topic:" + LetheTopics.learnerCommands(config.applicationId()),
                config.purgeIntervalMs() > 0 ? "purge-scheduled" : "kept", 0, null,
                config.purgeIntervalMs() > 0 ? "purged below the committed offset within " + config.purgeIntervalMs() + " ms"
                        : "lethe.purge.interval.ms=0: kept until the topic's retention"));
        String inputs = LetheTopics.EXAMPLES + "," + LetheTopics.ERASURES;
        copies.add(copy("topic:" + inputs, config.privacy().purgeInputs() ? "purge-scheduled" : "kept", 0, null,
                config.privacy().purgeInputs()
                        ? "records at or below " + offsets + " are purged once every registered Lethe application has"
                                + " committed past them (within " + config.purgeIntervalMs() + " ms of that)"
                        : "lethe.purge.inputs=false: kept until the topics' retention"));
        if (removed > 0) {
            copies.add(copy("checkpoints", "revoked", Math.max(0, version - 1), null,
                    "versions below " + version + " are revoked: manifests and checkpoints deleted, revocation event sent"));
            copies.add(copy("snapshots", snapshotsAfterErasure ? "replaced" : "kept", 0, null, snapshotsAfterErasure
                    ? "a new learner snapshot was taken; the older one's key was destroyed with this receipt"
                    : "the analytic snapshot holds only aggregate statistics; replaced at the next snapshot"));
        }
        return copies;
    }

    private CopyAttestation keyCopy(ErasureRequest request, Optional<String> keyDestroyed) {
        if (!keys.encrypting()) {
            return copy("key:subject", "none", 0, null, "lethe.encryption=false: no keys");
        }
        if (request.getScope() != ErasureScope.SUBJECT) {
            return copy("key:subject", "kept", 0, null, request.getScope() == ErasureScope.EXAMPLES
                    ? "example-id erasure: the rows were deleted; the subject's key stays for its other data"
                    : request.getScope().name().toLowerCase() + " erasure: subjects' keys stay for their other data");
        }
        String id = keyDestroyed.orElse("");
        boolean stillThere = keys.keyId(request.getSubjectId()).isPresent();
        return copy("key:subject", id.isEmpty() ? "none" : "shredded", id.isEmpty() ? 0 : 1, stillThere ? 1L : 0L,
                id.isEmpty() ? "the subject had no data key" : "data key " + id + " destroyed");
    }

    private static CopyAttestation copy(String copy, String action, long count, Long readableAfter, String detail) {
        return CopyAttestation.newBuilder().setCopy(copy).setAction(action).setCount(count).setReadableAfter(readableAfter)
                .setDetail(detail).build();
    }
}
