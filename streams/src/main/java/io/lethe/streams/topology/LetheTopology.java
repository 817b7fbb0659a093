package io.lethe.streams.topology;

import io.lethe.schemas.LetheTopics;
import io.lethe.streams.LetheConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
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
        String commands = LetheTopics.learnerCommands(config.applicationId());
        topology.addSink(RecordValidator.TO_LEARNER, commands, strings.serializer(),
                bytes.serializer(), "validate");
        topology.addSink(RecordValidator.TO_DEAD_LETTERS, LetheTopics.DEAD_LETTERS, strings.serializer(),
                bytes.serializer(), "validate");
        topology.addSink(RecordValidator.TO_RECEIPTS, LetheTopics.ERASURE_RECEIPTS, strings.serializer(),
                bytes.serializer(), "validate");

        topology.addSource("learner-commands", strings.deserializer(), bytes.deserializer(), commands);
        // Evaluation examples go straight to the learner (one partition each, so they are co-partitioned).
        topology.addSource("eval-examples", strings.deserializer(), bytes.deserializer(), LetheTopics.EVAL_EXAMPLES);
        topology.addProcessor("learn-and-unlearn", () -> new ModelLearnerProcessor(config, metrics), "learner-commands",
                "eval-examples");
        String learner = "learn-and-unlearn";
        List<String> bytesStores = new ArrayList<>(List.of(StoreNames.EVALUATION_SETS, StoreNames.RETAINED_EXAMPLES));
        bytesStores.addAll(LearningEngines.capabilities(config).extraStores());
        bytesStores.forEach(name -> addStore(topology, name, strings, bytes, learner));
        addStore(topology, StoreNames.LEARNER_JOURNAL, Serdes.Long(), bytes, learner);
        addStore(topology, StoreNames.LEARNER_META, strings, Serdes.Long(), learner);
        addStore(topology, StoreNames.ERASURE_WATERMARKS, strings, Serdes.Long(), learner);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.SUBJECT_KEYS), strings,
                bytes), learner);
        for (String[] sink : new String[][] {{ModelLearnerProcessor.TO_MODEL_VERSIONS, LetheTopics.MODEL_VERSIONS},
                {ModelLearnerProcessor.TO_RECEIPTS, LetheTopics.ERASURE_RECEIPTS},
                {ModelLearnerProcessor.TO_EVALUATIONS, LetheTopics.EVALUATIONS},
                {ModelLearnerProcessor.TO_DEAD_LETTERS, LetheTopics.DEAD_LETTERS}}) {
            topology.addSink(sink[0], sink[1], strings.serializer(), bytes.serializer(), learner);
        }
        return topology;
    }

    /** A persistent (changelogged) key-value store connected to the processor. */
    private static <K, V> void addStore(Topology topology, String name, Serde<K> keys, Serde<V> values, String processor) {
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values), processor);
    }
}
