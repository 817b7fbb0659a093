package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import io.lethe.broker.EmbeddedKafkaBroker;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * End to end in a real browser: a Lethe application on a real broker serves its dashboard; headless
 * Chromium (Debian's chromium and chromium-driver, driven through Selenium) opens it before any data
 * exists, then three tasks are streamed and a subject is erased. The page must receive the live
 * evaluation points of every task, a transition marker per new task and an erasure marker. A
 * screenshot is left in {@code target/dashboard-screenshot.png}.
 *
 * <p>Without a browser the test is skipped, unless the environment variable {@code REQUIRE_BROWSER_TEST=1}
 * (set by {@code .ci/run}, which installs the packages) makes that a failure.
 */
class DashboardBrowserIT {

    private static final int TASKS = 3;
    private static final int PER_TASK = 240;
    private static final int EVAL_EVERY = 30;

    @TempDir
    Path dir;

    @Test
    void theDashboardShowsLivePointsForEveryTaskWithTransitionAndErasureMarkers() throws Exception {
        File chromium = new File(System.getProperty("lethe.chromium", "/usr/bin/chromium"));
        File chromedriver = new File(System.getProperty("lethe.chromedriver", "/usr/bin/chromedriver"));
        boolean present = chromium.canExecute() && chromedriver.canExecute();
        if ("1".equals(System.getenv("REQUIRE_BROWSER_TEST"))) {
            assertTrue(present, "REQUIRE_BROWSER_TEST=1 but " + chromium + " or " + chromedriver
                    + " is missing (Debian packages chromium and chromium-driver)");
        }
        Assumptions.assumeTrue(present, "no " + chromium + " / " + chromedriver + ": install Debian's chromium and"
                + " chromium-driver to run the browser test");

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            LetheConfig config = TestData.config(dir, "bootstrap.servers", broker.bootstrapServers(),
                    "lethe.application.id", "lethe-dashboard-it-" + UUID.randomUUID().toString().substring(0, 8),
                    "lethe.max.classes", Integer.toString(2 * TASKS), "lethe.dashboard.port", "0",
                    "lethe.eval.every.examples", Integer.toString(EVAL_EVERY), "lethe.publish.idle.ms", "300");
            ChromeDriver browser = null;
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(broker.bootstrapServers())) {
                String url = app.dashboardUrl().orElseThrow();
                browser = headlessChromium(chromium, chromedriver);
                browser.get(url);
                Map<String, Object> before = awaitSummary(browser, s -> Boolean.TRUE.equals(s.get("connected")),
                        "the page to connect to " + url + "events");
                assertEquals(Map.of(), before.get("models"), "nothing has been learned yet");

                for (TrainingExample e : examples(77, 40, "eval-")) {
                    producer.send(new ProducerRecord<>(LetheTopics.EVAL_EXAMPLES, "task-" + e.getTask(),
                            AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                Thread.sleep(500); // the evaluation sets are in the learner before the first training example
                List<TrainingExample> training = examples(5, PER_TASK, "ex-");
                for (int task = 0; task < TASKS; task++) {
                    for (TrainingExample e : training.subList(task * PER_TASK, (task + 1) * PER_TASK)) {
                        producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(),
                                AvroCodec.TRAINING_EXAMPLE.encode(e)));
                    }
                    producer.flush();
                    int learned = (task + 1) * PER_TASK;
                    // Live: each task's points reach the open page while the run goes on.
                    awaitSummary(browser, s -> model(s) != null && ((Number) model(s).get("evaluations")).intValue()
                            >= learned / EVAL_EVERY - 1, "evaluations up to example " + learned);
                }
                producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-3", AvroCodec.ERASURE_REQUEST.encode(
                        TestData.erasure("erase-subject-3", ErasureScope.SUBJECT, "subject-3", List.of(), null, null)))).get();

                Map<String, Object> summary = awaitSummary(browser,
                        s -> model(s) != null && ((Number) model(s).get("erasureMarkers")).intValue() >= 1
                                && ((Number) model(s).get("afterErasureEvaluations")).intValue() >= 1,
                        "an erasure marker and the evaluation of the model right after it");
                Map<String, Object> model = model(summary);
                @SuppressWarnings("unchecked")
                Map<String, Object> points = (Map<String, Object>) model.get("pointsPerTask");
                assertEquals(TASKS, points.size(), "a curve per task: " + points);
                // Every evaluation covers every task's set: one point per task per evaluation, and an evaluation
                // every 30 of the 720 examples (a few may pass before the sets reach the learner), plus the one
                // right after the erasure.
                int evaluations = ((Number) model.get("evaluations")).intValue();
                int continual = evaluations - ((Number) model.get("afterErasureEvaluations")).intValue();
                int expected = TASKS * PER_TASK / EVAL_EVERY;
                assertTrue(continual >= expected - 3, continual + " evaluations, expected about " + expected);
                for (Object count : points.values()) {
                    assertEquals(evaluations, ((Number) count).intValue(), "points per task " + points);
                }
                assertEquals(TASKS - 1, ((Number) model.get("transitionMarkers")).intValue(), "a marker per new task");
                assertEquals(TASKS - 1, ((Number) model.get("gapRows")).intValue(), "a stability-gap row per transition");
                assertTrue(((Number) summary.get("receiptRows")).intValue() >= 1, "the receipt is listed");
                assertTrue(((Number) summary.get("versionRows")).intValue() >= 1, "versions are listed");
                assertEquals(List.of(), summary.get("errors"), "no event failed on the page");

                Path shot = Path.of("target", "dashboard-screenshot.png");
                Files.createDirectories(shot.getParent());
                Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
                assertTrue(Files.size(shot) > 10_000, "screenshot " + shot + " has " + Files.size(shot) + " bytes");
            } finally {
                if (browser != null) {
                    browser.quit();
                }
            }
        }
    }

    /** Task t holds classes 2t and 2t+1; features are class prototypes plus noise. */
    private static List<TrainingExample> examples(long seed, int perTask, String prefix) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int task = 0; task < TASKS; task++) {
            for (int i = 0; i < perTask; i++) {
                int label = 2 * task + (i % 2);
                List<Float> features = new ArrayList<>(TestData.DIM);
                for (int j = 0; j < TestData.DIM; j++) {
                    features.add((float) ((j % (2 * TASKS) == label ? 1.0 : 0.0) + 0.4 * random.nextGaussian()));
                }
                int n = task * perTask + i;
                out.add(TrainingExample.newBuilder().setExampleId(prefix + n).setSubjectId("subject-" + (n % 10))
                        .setTask(task).setLabel(label).setPixels(null).setFeatures(features)
                        .setEventTime(Instant.now()).build());
            }
        }
        return out;
    }

    private static ChromeDriver headlessChromium(File chromium, File chromedriver) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        // The background-networking flags keep Chromium from calling hosts this closed network refuses.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1100",
                "--user-data-dir=" + Files.createTempDirectory("lethe-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver)
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> model(Map<String, Object> summary) {
        return (Map<String, Object>) ((Map<String, Object>) summary.get("models")).get("test-model");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitSummary(JavascriptExecutor browser, Predicate<Map<String, Object>> done,
                                                    String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Object> summary = Map.of();
        while (System.nanoTime() < deadline) {
            Object value = browser.executeScript(
                    "return window.letheDashboard ? window.letheDashboard.summary() : null;");
            if (value instanceof Map<?, ?> map) {
                summary = (Map<String, Object>) map;
                if (done.test(summary)) {
                    return summary;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what + "; the page shows " + summary);
    }
}
