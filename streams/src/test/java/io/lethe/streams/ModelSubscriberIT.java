package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Predictor;
import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.gradient.NetworkPredictor;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.ModelSubscriber;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.streams.topology.ExampleBatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A downstream service follows a model through {@link ModelSubscriber} alone: it receives every
 * version of an analytic and of an MLP model as a verified {@link Predictor} and predicts with it;
 * a checkpoint whose bytes were changed is refused.
 */
class ModelSubscriberIT {

    @TempDir
    Path dir;

    private record Delivered(ModelVersion version, Predictor predictor) {
    }

    @Test
    void subscribersReceiveVerifiedPredictorsOfBothLearnersAndRefuseATamperedCheckpoint() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            LetheConfig ridge = TestData.config(dir.resolve("ridge"), "bootstrap.servers", bootstrap,
                    "lethe.application.id", "subscribed-ridge", "lethe.model.name", "ridge", "lethe.publish.idle.ms", "300");
            LetheConfig network = TestData.config(dir.resolve("net"), "bootstrap.servers", bootstrap,
                    "lethe.application.id", "subscribed-net", "lethe.model.name", "net", "lethe.publish.idle.ms", "300",
                    "lethe.learner", "mlp", "lethe.mlp.hidden", "32", "lethe.mlp.batch.size", "8",
                    "lethe.mlp.learning.rate", "0.2", "lethe.replay.capacity", "30");
            List<TrainingExample> examples = TestData.examples(31, 0, 120, 6);
            LabeledBatch batch = ExampleBatches.of(examples, TestData.DIM);
            try (LetheApplication a = LetheApplication.start(ridge);
                 LetheApplication b = LetheApplication.start(network);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(bootstrap)) {
                for (TrainingExample e : examples) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();

                Delivered newestRidge = follow(bootstrap, ridge, examples.size());
                RidgeModel ridgeHead = (RidgeModel) newestRidge.predictor();
                assertEquals(RidgeModel.KIND, ridgeHead.kind());
                assertEquals(examples.size(), newestRidge.version().getLineage().getExamplesLearned());
                RidgeModel direct = TestData.directSolve(ridge, examples, ridgeHead.classes());
                assertTrue(io.lethe.learning.analytic.RidgeSolver.relativeFrobenius(ridgeHead.weights(), direct.weights()) < 1e-6,
                        "the subscribed ridge head is the solve on everything learned");
                assertEquals(Accuracy.percent(direct, batch), Accuracy.percent(ridgeHead, batch));

                Delivered newestNet = follow(bootstrap, network, examples.size());
                Predictor net = newestNet.predictor();
                assertEquals(NetworkPredictor.KIND, net.kind());
                INDArray scores = net.scores(batch.inputs());
                assertEquals(examples.size(), scores.rows());
                assertEquals(TestData.CLASSES, scores.columns());
                for (int i = 0; i < scores.rows(); i++) {
                    assertEquals(1.0, scores.getRow(i).sumNumber().doubleValue(), 1e-4, "softmax probabilities");
                }
                assertTrue(Accuracy.percent(net, batch) > 40, "the subscribed MLP learned (chance 25 %): "
                        + Accuracy.percent(net, batch));

                // Someone changes a checkpoint on disk: the subscriber refuses to serve it.
                try (Stream<Path> files = Files.walk(ridge.modelStoreDir())) {
                    for (Path file : files.filter(p -> p.toString().endsWith(".ckpt")).toList()) {
                        byte[] bytes = Files.readAllBytes(file);
                        bytes[bytes.length / 2] ^= 0x21;
                        Files.write(file, bytes);
                    }
                }
                try (ModelSubscriber subscriber = new ModelSubscriber(bootstrap, new CheckpointStore(ridge.modelStoreDir()),
                        true, ridge.modelName())) {
                    List<Predictor> served = new ArrayList<>();
                    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> {
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        while (System.nanoTime() < deadline) {
                            subscriber.pollOnce(Duration.ofMillis(200), (v, p) -> served.add(p));
                        }
                    });
                    assertTrue(refused.getMessage().contains("corrupt"), refused.getMessage());
                    assertTrue(served.isEmpty(), "nothing tampered was served");
                }
            }
        }
    }

    /** Follows the model until a version has learned {@code learned} examples; returns that delivery. */
    private static Delivered follow(String bootstrap, LetheConfig config, long learned) {
        List<Delivered> delivered = new ArrayList<>();
        try (ModelSubscriber subscriber = new ModelSubscriber(bootstrap, new CheckpointStore(config.modelStoreDir()), true,
                config.modelName())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && (delivered.isEmpty()
                    || delivered.get(delivered.size() - 1).version().getLineage().getExamplesLearned() < learned)) {
                subscriber.pollOnce(Duration.ofMillis(200), (version, predictor) -> delivered.add(new Delivered(version, predictor)));
            }
        }
        assertTrue(!delivered.isEmpty(), config.modelName() + ": no version delivered");
        assertTrue(delivered.stream().allMatch(d -> d.version().getModelName().equals(config.modelName())),
                "only the followed model's versions");
        return delivered.get(delivered.size() - 1);
    }
}
