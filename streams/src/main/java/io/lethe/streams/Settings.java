package io.lethe.streams;

import java.util.List;

/**
 * Every setting of a Lethe application, once: the application's own, then the analytic learner's,
 * then the network learner's (mlp). {@link LetheConfig#from} reads them; {@code lethe settings}
 * prints them; the README's table is checked against them.
 */
public final class Settings {

    private Settings() {
    }

    // The application.
    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("bootstrap.servers", "",
            "Kafka cluster; empty: the lethe command line starts an embedded KRaft broker on loopback (data under the state dir)");
    public static final Setting<String> APPLICATION_ID = Setting.matching("lethe.application.id", "lethe",
            "Kafka Streams application id (it also names the learner's command topic)", "[A-Za-z0-9._-]{1,180}",
            "may hold only letters, digits, '.', '_' and '-' (it names the learner's command topic)");
    public static final Setting<String> MODEL_NAME = Setting.matching("lethe.model.name", "mnist", "model name",
            "[A-Za-z0-9._-]+", "may hold only letters, digits, '.', '_' and '-'");
    public static final Setting<String> STATE_DIR = Setting.text("lethe.state.dir", "var/state",
            "Kafka Streams state, learner snapshots, embedded broker data");
    public static final Setting<String> MODEL_STORE_DIR = Setting.text("lethe.model.store.dir", "var/models",
            "checkpoint store");
    public static final Setting<Integer> INPUT_DIM = Setting.atLeast("lethe.input.dim", "784",
            "input length (square images for random-conv)", 1);
    public static final Setting<Integer> MAX_CLASSES = Setting.atLeast("lethe.max.classes", "10",
            "labels must lie in [0, max)", 2);
    public static final Setting<Integer> INPUT_PARTITIONS = Setting.atLeast("lethe.input.partitions", "3",
            "partitions of examples and erasures", 1);
    public static final Setting<Integer> PUBLISH_EVERY_EXAMPLES = Setting.atLeast("lethe.publish.every.examples", "5000",
            "publish a version after this many examples", 1);
    public static final Setting<Long> PUBLISH_IDLE_MS = Setting.atLeastLong("lethe.publish.idle.ms", "1000",
            "publish pending learning after this long without input", 1);
    public static final Setting<Integer> SNAPSHOT_EVERY_EXAMPLES = Setting.atLeast("lethe.snapshot.every.examples", "20000",
            "learner snapshot interval, in journal events", 1);
    public static final Setting<Integer> MAX_RECORD_BYTES = Setting.atLeast("lethe.max.record.bytes", "65536",
            "larger input records are dead-lettered", 1024);
    public static final Setting<Long> COMMIT_INTERVAL_MS = Setting.atLeastLong("lethe.commit.interval.ms", "100",
            "Kafka Streams commit interval (exactly_once_v2: each commit is a transaction). The validator and the"
                    + " learner also request a commit right after forwarding a request or a receipt, so erasures do not"
                    + " wait for it. Each transaction costs the broker markers on every partition it wrote: 100 ms"
                    + " learned 11 % faster through Kafka than 20 ms, with the same erasure p99", 1);
    public static final Setting<String> LEARNER = Setting.oneOf("lethe.learner", "analytic",
            "analytic (exact unlearning, frozen features) or mlp (DL4J network with replay, approximate unlearning)",
            List.of(LetheConfig.ANALYTIC, LetheConfig.MLP));
    public static final Setting<Integer> EVAL_EVERY_EXAMPLES = Setting.atLeast("lethe.eval.every.examples", "2000",
            "continual evaluation of the live model on the lethe.eval-examples sets every N learned examples (0: off)", 0);
    public static final Setting<Integer> EVAL_PER_TASK = Setting.atLeast("lethe.eval.per.task", "500",
            "evaluation examples kept per task", 1);
    public static final Setting<Integer> METRICS_PORT = Setting.port("lethe.metrics.port", "9464",
            "Prometheus endpoint http://<host>:<port>/metrics (0: any free port, -1: off); a port in use is logged, not fatal");
    public static final Setting<Integer> DASHBOARD_PORT = Setting.port("lethe.dashboard.port", "8080",
            "live dashboard http://<host>:<port>/ (0: any free port, -1: off); a port in use falls back to a free one, logged");
    public static final Setting<String> DASHBOARD_BIND = Setting.matching("lethe.dashboard.bind", "127.0.0.1",
            "address the dashboard listens on; 0.0.0.0 serves other hosts (it has no authentication)", "\\S+",
            "must be an address such as 127.0.0.1 or 0.0.0.0");
    public static final Setting<Long> PURGE_INTERVAL_MS = Setting.atLeastLong("lethe.purge.interval.ms", "30000",
            "how often the learner's command topic is purged below its committed offset (Admin deleteRecords); 0: never", 0);
    public static final Setting<Long> TOPIC_SEGMENT_MS = Setting.atLeastLong("lethe.topic.segment.ms", "60000",
            "segment roll and maximum compaction lag of the command topic and the stores' changelogs, so that purged and"
                    + " compacted records can leave the brokers' disks within minutes", 1000);
    public static final Setting<Boolean> PURGE_INPUTS = Setting.flag("lethe.purge.inputs", "true",
            "purge lethe.examples and lethe.erasures below the lowest committed offset of every Lethe application reading"
                    + " them; false keeps them for producers' replay, and erased examples stay readable there until the"
                    + " topics' retention");
    public static final Setting<Boolean> ENCRYPTION = Setting.flag("lethe.encryption", "true",
            "seal every stored value that holds a subject's data (AES-GCM, a data key per subject, destroyed by a subject"
                    + " erasure); false keeps them in the clear. Fixed for the life of a state folder");
    public static final Setting<String> KEK_FILE = Setting.text("lethe.kek.file", "",
            "file holding the key-encryption key that wraps the data keys (32 bytes, base64; lethe kek --new FILE); empty on"
                    + " the embedded default: <state dir>/lethe.kek, created on first start");
    public static final Setting<String> KEK = Setting.text("lethe.kek", "",
            "the key-encryption key itself, base64; set it through the LETHE_KEK variable, not a file; wins over"
                    + " lethe.kek.file");
    public static final Setting<Integer> ND4J_THREADS = Setting.atLeast("lethe.nd4j.threads", "-1",
            "ND4J and BLAS threads of the learner; -1: 1 thread (fastest on 2 cores: the conv map and the analytic statistics"
                    + " spread their own work over the cores, small network batches contend); 0: backend default", -1);

    // The analytic learner.
    public static final Setting<String> FEATURE_MAP = Setting.oneOf("lethe.feature.map", "random-conv",
            "analytic: random-conv (96 5x5 filters, 6x6 pooling, 1,536 features) or dense-relu",
            List.of("random-conv", "dense-relu"));
    public static final Setting<Integer> FEATURE_DENSE_FEATURES = Setting.atLeast("lethe.feature.dense.features", "2048",
            "analytic: width of the dense-relu map", 1);
    public static final Setting<Long> FEATURE_SEED = Setting.anyLong("lethe.feature.seed", "42", "analytic: feature map seed");
    public static final Setting<Double> RIDGE_GAMMA = Setting.positive("lethe.ridge.gamma", "1.0",
            "analytic: ridge regularisation");
    public static final Setting<Integer> LEARN_BATCH_SIZE = Setting.atLeast("lethe.learn.batch.size", "256",
            "analytic: examples per learner update", 1);
    public static final Setting<Boolean> LEARN_IN_BACKGROUND = Setting.flag("lethe.learn.background", "true",
            "analytic: learn each batch on a thread of its own while the stream thread goes on with the next (every other"
                    + " use of the model waits for it; false: on the stream thread)");
    public static final Setting<Integer> FEATURE_CACHE_MB = Setting.atLeast("lethe.feature.cache.mb", "512",
            "analytic: memory for the features of learned examples, so that unlearning them does not compute them"
                    + " again (the oldest make room when it is full; 0: off)", 0);

    // The network learner (lethe.learner=mlp).
    public static final Setting<String> NETWORK = Setting.oneOf("lethe.network", "mlp",
            "mlp: the network, mlp (input-h-h-classes) or cnn (square images)", List.of("mlp", "cnn"));
    public static final Setting<Integer> NETWORK_SHARDS = Setting.atLeast("lethe.network.shards", "1",
            "mlp: SISA shards; K > 1 trains K networks, each on the subjects hashed to it, predicting by their mean"
                    + " probabilities; an erasure retrains only the shards that held the subject (exact)", 1);
    public static final Setting<String> STRATEGY = Setting.oneOf("lethe.strategy", "none",
            "mlp: a training strategy around each step, beside replay: none, l2 or ewc (regularisation toward the last"
                    + " task), hft (half fine-tuning), refresh (unlearn a little, then learn), kfpf (periodic fine-tuning"
                    + " of the last layers on the buffer), distill (prediction distillation from the last task's model),"
                    + " ema (balanced-coefficient weight average), gere or gere-labels (a fixed set of general samples"
                    + " replayed, with or without the activation margin), viewbatch or viewbatch-rest (4 views per example;"
                    + " -rest: the replayed part thinned to one in 4, each in 16 views);"
                    + " MLP only", io.lethe.learning.strategy.TrainingStrategies.STREAM_NAMES);
    public static final Setting<Integer> MLP_HIDDEN = Setting.atLeast("lethe.mlp.hidden", "400",
            "mlp: units per hidden layer", 1);
    public static final Setting<Double> MLP_LEARNING_RATE = Setting.positive("lethe.mlp.learning.rate", "0.05",
            "mlp: SGD learning rate");
    public static final Setting<Long> MLP_SEED = Setting.anyLong("lethe.mlp.seed", "1",
            "mlp: initial weights, replay sampling, hold-out choice");
    public static final Setting<Integer> MLP_BATCH_SIZE = Setting.atLeast("lethe.mlp.batch.size", "32",
            "mlp: stream examples per training step (the network's lethe.learn.batch.size)", 1);
    public static final Setting<Integer> REPLAY_CAPACITY = Setting.atLeast("lethe.replay.capacity", "2000",
            "mlp: replay buffer capacity in examples", 1);
    public static final Setting<Long> REPLAY_MAX_BYTES = Setting.atLeastLong("lethe.replay.max.bytes", "16777216",
            "mlp: replay buffer capacity in bytes", 1);
    public static final Setting<String> REPLAY_POLICY = Setting.text("lethe.replay.policy", "reservoir",
            "mlp: storage policy, reservoir, class-balanced or task-balanced");
    public static final Setting<String> REHEARSAL_SCHEDULER = Setting.text("lethe.rehearsal.scheduler", "uniform",
            "mlp: none, uniform or power-law");
    public static final Setting<Double> REHEARSAL_EXPONENT = Setting.within("lethe.rehearsal.exponent", "0.5",
            "mlp: d of the power-law schedule", 0, Double.POSITIVE_INFINITY);
    public static final Setting<Integer> REHEARSAL_BUDGET = Setting.atLeast("lethe.rehearsal.budget", "32",
            "mlp: replayed examples per training step", 0);
    public static final Setting<Long> REPLAY_TASK_FREE_WINDOW = Setting.atLeastLong("lethe.replay.task.free.window", "0",
            "mlp: 0 uses the examples' task field; N > 0 makes every N stream examples a pseudo-task", 0);
    public static final Setting<Long> ERASURE_BATCH_WINDOW_MS = Setting.atLeastLong("lethe.erasure.batch.window.ms", "500",
            "mlp: erasures within this window are unlearned together, each with its own receipt (0: one at a time)", 0);
    public static final Setting<String> UNLEARNING_METHOD = Setting.text("lethe.unlearning.method", "sfr-on",
            "mlp: sfr-on, sfr-on-sam, ssd, gradient-ascent, gradient-ascent-sam, fine-tune, iau, gs-lora or"
                    + " gradient-ascent-dl4j (a CNN runs gradient-ascent-dl4j; -sam: sharpness-aware forget steps, rho 0.05)");
    public static final Setting<Boolean> UNLEARNING_GUARD = Setting.flag("lethe.unlearning.guard", "true",
            "mlp: measure every approximate unlearning run and retrain exactly from the retained examples when it costs"
                    + " too much utility or forgets too little (false: every run stands)");
    public static final Setting<Double> UNLEARNING_MAX_UTILITY_DROP = Setting.within("lethe.unlearning.max.utility.drop",
            "2", "mlp: points of held-out accuracy (retained classes) an approximate run may cost", 0, 100);
    public static final Setting<Double> UNLEARNING_MAX_FORGET_ACCURACY = Setting.within(
            "lethe.unlearning.max.forget.accuracy", "5",
            "mlp: percent of an erased class's examples an approximate run may still recognise, when the class has no"
                    + " held-out example left", 0, 100.0001);
    public static final Setting<Double> UNLEARNING_MAX_FORGET_EXCESS = Setting.within("lethe.unlearning.max.forget.excess",
            "5", "mlp: points by which erased examples of retained classes may be recognised better than held-out ones",
            0, 100.0001);
    public static final Setting<Double> UNLEARNING_EXACT_FRACTION = Setting.within("lethe.unlearning.exact.fraction",
            "0.05", "mlp: an erasure (or window of them) larger than this share of the retained data retrains exactly at"
                    + " once", 0, 1.0001);
    public static final Setting<Integer> UNLEARNING_REMAIN_SIZE = Setting.atLeast("lethe.unlearning.remain.size", "2000",
            "mlp: remain examples drawn from the retained store (class-stratified, seeded) for an approximate run; 0: the"
                    + " replay buffer", 0);
    public static final Setting<Double> HOLDOUT_PERCENT = Setting.within("lethe.holdout.percent", "2",
            "mlp: percent of examples held out (stored, erasable, never learned) as test data for receipts", 0, 50);
    public static final Setting<Integer> HOLDOUT_CAPACITY = Setting.atLeast("lethe.holdout.capacity", "1000",
            "mlp: held-out examples kept for evaluation", 1);

    /** Every setting, in the order {@code lethe settings} and the README list them. */
    public static final List<Setting<?>> ALL = List.of(BOOTSTRAP_SERVERS, APPLICATION_ID, MODEL_NAME, STATE_DIR,
            MODEL_STORE_DIR, INPUT_DIM, MAX_CLASSES, INPUT_PARTITIONS, PUBLISH_EVERY_EXAMPLES, PUBLISH_IDLE_MS,
            SNAPSHOT_EVERY_EXAMPLES, MAX_RECORD_BYTES, COMMIT_INTERVAL_MS, LEARNER, EVAL_EVERY_EXAMPLES, EVAL_PER_TASK,
            METRICS_PORT, DASHBOARD_PORT, DASHBOARD_BIND, PURGE_INTERVAL_MS, TOPIC_SEGMENT_MS, PURGE_INPUTS, ENCRYPTION, KEK_FILE, KEK,
            ND4J_THREADS, FEATURE_MAP, FEATURE_DENSE_FEATURES, FEATURE_SEED,
            RIDGE_GAMMA, LEARN_BATCH_SIZE, LEARN_IN_BACKGROUND, FEATURE_CACHE_MB, NETWORK, NETWORK_SHARDS, STRATEGY, MLP_HIDDEN, MLP_LEARNING_RATE, MLP_SEED, MLP_BATCH_SIZE, REPLAY_CAPACITY,
            REPLAY_MAX_BYTES, REPLAY_POLICY, REHEARSAL_SCHEDULER, REHEARSAL_EXPONENT, REHEARSAL_BUDGET,
            REPLAY_TASK_FREE_WINDOW, ERASURE_BATCH_WINDOW_MS, UNLEARNING_METHOD, UNLEARNING_GUARD, UNLEARNING_MAX_UTILITY_DROP,
            UNLEARNING_MAX_FORGET_ACCURACY, UNLEARNING_MAX_FORGET_EXCESS, UNLEARNING_EXACT_FRACTION, UNLEARNING_REMAIN_SIZE,
            HOLDOUT_PERCENT, HOLDOUT_CAPACITY);

    /** The README's settings table, generated from {@link #ALL}. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| setting | default | meaning |\n|---|---|---|\n");
        for (Setting<?> setting : ALL) {
            table.append("| `").append(setting.name()).append("` | ")
                    .append(setting.defaultValue().isEmpty() ? "(empty)" : setting.defaultValue()).append(" | ")
                    .append(setting.meaning()).append(" |\n");
        }
        return table.toString();
    }
}
