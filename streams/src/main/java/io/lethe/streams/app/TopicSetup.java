package io.lethe.streams.app;

import io.lethe.schemas.LetheTopics;
import io.lethe.streams.LetheConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates Lethe's topics when missing and checks the ones the design depends on. */
public final class TopicSetup {

    private TopicSetup() {
    }

    /**
     * The command topic and the input topics are transit (purged below committed offsets): their
     * segments roll every {@code lethe.topic.segment.ms}, so purged records leave the disk at the next
     * retention check once a newer record has arrived (Kafka never deletes a partition's active
     * segment). Input topics an operator created keep their own settings.
     */
    static Map<String, String> transitConfigs(LetheConfig config) {
        return Map.of(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(config.topicSegmentMs()));
    }

    public static void ensureTopics(Admin admin, LetheConfig config) throws InterruptedException {
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics on " + config.bootstrapServers() + ": " + e.getCause(), e);
        }
        List<NewTopic> missing = new ArrayList<>();
        String commands = LetheTopics.learnerCommands(config.applicationId());
        List<String> wanted = new ArrayList<>(LetheTopics.ALL);
        wanted.add(commands);
        for (String topic : wanted) {
            if (existing.contains(topic)) {
                continue;
            }
            int partitions = topic.equals(LetheTopics.EXAMPLES) || topic.equals(LetheTopics.ERASURES)
                    ? config.inputPartitions() : 1;
            Map<String, String> configs = new java.util.HashMap<>(Map.of("max.message.bytes", Integer.toString(4 << 20)));
            if (topic.equals(commands) || topic.equals(LetheTopics.EXAMPLES) || topic.equals(LetheTopics.ERASURES)) {
                configs.putAll(transitConfigs(config)); // purged below committed offsets: let segments go soon
            }
            if (topic.equals(LetheTopics.MODEL_VERSIONS)) {
                // A key per model and version: revoked versions' entries are tombstoned and compacted away.
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
                configs.put(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(config.topicSegmentMs()));
                configs.put(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(config.topicSegmentMs()));
            }
            missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs));
        }
        try {
            admin.createTopics(missing).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topics: " + e.getCause(), e);
            }
        }
        if (existing.contains(commands)) {
            setTransitConfigs(admin, commands, config); // a command topic created by an earlier release
        }
        try {
            Map<String, TopicDescription> described = describeWhenKnown(admin,
                    List.of(commands, LetheTopics.EXAMPLES, LetheTopics.ERASURES));
            int learnerPartitions = described.get(commands).partitions().size();
            if (learnerPartitions != 1) {
                throw new IllegalStateException(commands + " has " + learnerPartitions
                        + " partitions; it must have exactly 1 (each model has a single learner)");
            }
            int examples = described.get(LetheTopics.EXAMPLES).partitions().size();
            int erasures = described.get(LetheTopics.ERASURES).partitions().size();
            if (examples != erasures) {
                throw new IllegalStateException(LetheTopics.EXAMPLES + " has " + examples + " partitions but "
                        + LetheTopics.ERASURES + " has " + erasures + "; they must match so a subject's examples and"
                        + " erasures are co-partitioned");
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe topics: " + e.getCause(), e);
        }
    }

    private static void setTransitConfigs(Admin admin, String commands, LetheConfig config) throws InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, commands);
        List<AlterConfigOp> ops = transitConfigs(config).entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET)).toList();
        try {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set " + commands + "'s segment settings: " + e.getCause(), e);
        }
    }

    /**
     * Describes topics, waiting (up to 30 s) for topics just created: the controller has created them
     * before the broker's metadata knows them.
     */
    private static Map<String, TopicDescription> describeWhenKnown(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
