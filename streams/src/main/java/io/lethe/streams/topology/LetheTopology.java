package io.lethe.streams.topology;

import io.lethe.schemas.LetheTopics;
import io.lethe.streams.LetheConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the Lethe topology from configuration; pure: no I/O, no side effects. */
public final class LetheTopology {

    private LetheTopology() {
    }

    public static Topology build(LetheConfig config) {
        return build(config, io.lethe.streams.metrics.LetheMetrics.unregistered());
    }

    /** The topology, with the learner reporting its figures to {@code metrics}. */
    public static Topology build(LetheConfig config, io.lethe.streams.metrics.LetheMetrics metrics) {
        Topology topology = new Topology();
        var strings = Serdes.String();
        var bytes = Serdes.ByteArray();

        topology.addSource("examples", strings.deserializer(), bytes.deserializer(), LetheTopics.EXAMPLES);
        topology.addSource("erasures", strings.deserializer(), bytes.deserializer(), LetheTopics.ERASURES);
        topology.addProcessor("validate", () -> new RecordValidator(config), "examples", "erasures");
        topology.addSink(RecordValidator.TO_LEARNER, LetheTopics.LEARNER_COMMANDS, strings.serializer(),
                bytes.serializer(), "validate");
        topology.addSink(RecordValidator.TO_DEAD_LETTERS, LetheTopics.DEAD_LETTERS, strings.serializer(),
                bytes.serializer(), "validate");
        topology.addSink(RecordValidator.TO_RECEIPTS, LetheTopics.ERASURE_RECEIPTS, strings.serializer(),
                bytes.serializer(), "validate");

        topology.addSource("learner-commands", strings.deserializer(), bytes.deserializer(), LetheTopics.LEARNER_COMMANDS);
        // Evaluation examples go straight to the learner (one partition each, so they are co-partitioned).
        topology.addSource("eval-examples", strings.deserializer(), bytes.deserializer(), LetheTopics.EVAL_EXAMPLES);
        topology.addProcessor("learn-and-unlearn", () -> new ModelLearnerProcessor(config, metrics), "learner-commands",
                "eval-examples");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.EVALUATION_SETS), strings, bytes), "learn-and-unlearn");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.RETAINED_EXAMPLES), strings, bytes), "learn-and-unlearn");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.LEARNER_JOURNAL), Serdes.Long(), bytes), "learn-and-unlearn");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.LEARNER_META), strings, Serdes.Long()), "learn-and-unlearn");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.ERASURE_WATERMARKS), strings, Serdes.Long()), "learn-and-unlearn");
        if (config.learner().gradient()) {
            topology.addStateStore(Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(StoreNames.PENDING_ERASURES), strings, bytes), "learn-and-unlearn");
            topology.addStateStore(Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(StoreNames.REPLAY_BUFFER), strings, bytes), "learn-and-unlearn");
        }
        topology.addSink(ModelLearnerProcessor.TO_MODEL_VERSIONS, LetheTopics.MODEL_VERSIONS, strings.serializer(),
                bytes.serializer(), "learn-and-unlearn");
        topology.addSink(ModelLearnerProcessor.TO_RECEIPTS, LetheTopics.ERASURE_RECEIPTS, strings.serializer(),
                bytes.serializer(), "learn-and-unlearn");
        topology.addSink(ModelLearnerProcessor.TO_EVALUATIONS, LetheTopics.EVALUATIONS, strings.serializer(),
                bytes.serializer(), "learn-and-unlearn");
        topology.addSink(ModelLearnerProcessor.TO_DEAD_LETTERS, LetheTopics.DEAD_LETTERS, strings.serializer(),
                bytes.serializer(), "learn-and-unlearn");
        return topology;
    }
}
