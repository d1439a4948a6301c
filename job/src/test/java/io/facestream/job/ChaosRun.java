package io.facestream.job;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The chaos run of deploy/local/chaos.sh, on a fresh local stack: {@code --events N} events sent evenly over
 * {@code --minutes M} minutes while, every 30 to 90 s, a random TaskManager, the broker or the JobManager is killed
 * with kill -9 and started again (each kind once in every three faults, in a random order). Prints each fault with its recovery time, then, once every event has its outcome
 * (or 10 minutes passed), the last line {@code in N, out N, duplicates 0, missing 0}. Exits with 1 unless every
 * event has exactly one outcome.
 *
 * <p>Not a test: it runs for as long as it is told to. The stack's settings are stack.sh's environment variables
 * (FACESTREAM_LOCAL_DIR, default /tmp/facestream-chaos, ports, TASKMANAGERS, ...).
 */
final class ChaosRun {

    private static final List<String> STACK_SETTINGS = List.of("HA", "ZOOKEEPER_PORT", "KAFKA_PORT", "KAFKA_CONTROLLER_PORT",
            "FLINK_REST_PORT", "FLINK_RPC_PORT", "PROMETHEUS_PORTS", "TASKMANAGERS", "TASKMANAGER_SLOTS", "TASKMANAGER_MEMORY",
            "TASKMANAGER_JAVA_OPTS", "MALLOC_ARENA_MAX");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final LocalStack stack;
    private final int taskManagers;
    private final Random random = new Random();
    /** When outcomes were last committed (System.nanoTime()). */
    private final AtomicLong lastCommit = new AtomicLong(System.nanoTime());
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private String job;

    private ChaosRun(LocalStack stack, int taskManagers) {
        this.stack = stack;
        this.taskManagers = taskManagers;
    }

    public static void main(String[] args) throws Exception {
        int events = 0;
        double minutes = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[i + 1]);
                case "--minutes" -> minutes = Double.parseDouble(args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0 || events <= 0 || minutes <= 0) {
            usage("--events and --minutes need positive numbers");
        }
        Map<String, String> settings = new HashMap<>();
        STACK_SETTINGS.forEach(name -> {
            if (System.getenv(name) != null) {
                settings.put(name, System.getenv(name));
            }
        });
        String dir = System.getenv().getOrDefault("FACESTREAM_LOCAL_DIR", "/tmp/facestream-chaos");
        int taskManagers = Integer.parseInt(settings.getOrDefault("TASKMANAGERS", "2"));
        boolean exactlyOnce;
        try (LocalStack stack = new LocalStack("chaos", java.nio.file.Path.of(dir), settings).quiet()) {
            stack.run("clean");
            stack.start();
            exactlyOnce = new ChaosRun(stack, taskManagers).run(events, Duration.ofMillis((long) (minutes * 60_000)));
        }
        System.exit(exactlyOnce ? 0 : 1);
    }

    private static void usage(String problem) {
        System.err.println("chaos: " + problem + "\nusage: deploy/local/chaos.sh --events N --minutes M");
        System.exit(2);
    }

    private boolean run(int events, Duration duration) throws Exception {
        String bootstrap = stack.bootstrapServers();
        stack.createTopics(2, "images", "detections", "dead-letters");
        job = stack.submit("--bootstrap-servers", bootstrap, "--input-topic", "images", "--output-topic", "detections",
                "--dead-letter-topic", "dead-letters", "--parallelism", Integer.toString(taskManagers),
                "--checkpoint-interval", "2s", "--transactional-id-prefix", "chaos-" + UUID.randomUUID());
        stack.awaitRunning(job, Duration.ofMinutes(5));
        log(String.format("job %s runs; sending %d events over %s", job, events, duration));
        Thread counter = new Thread(this::noteCommits, "committed-outcomes");
        counter.setDaemon(true);
        counter.start();
        Thread faults = new Thread(() -> {
            try {
                injectFaults();
            } catch (Exception e) {
                log("faults stopped: " + e);
            }
        }, "faults");
        faults.start();

        CameraEvents cameraEvents = new CameraEvents();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<Exception> failedSends = new ArrayList<>();
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = CameraEvents.producer(bootstrap)) {
            for (int i = 0; i < events; i++) {
                long due = started + duration.toNanos() * i / events;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String id = CameraEvents.id(i);
                producer.send(cameraEvents.record("images", i), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.add(id);
                    } else {
                        synchronized (failedSends) {
                            failedSends.add(error);
                        }
                    }
                });
            }
            producer.flush();
        }
        producing.set(false);
        log(String.format("sent %d events (%d acknowledged, %d failed sends) in %.0f s", events, acknowledged.size(),
                failedSends.size(), (System.nanoTime() - started) / 1e9));
        faults.join();
        Map<String, Integer> outcomes = stack.outcomes("detections", "dead-letters", acknowledged.size(), Duration.ofMinutes(10));
        LocalStack.Tally tally = LocalStack.Tally.of(acknowledged, outcomes);
        log(String.format("%.0f s in all", (System.nanoTime() - started) / 1e9));
        System.out.println(tally);
        return tally.exactlyOnce() && failedSends.isEmpty();
    }

    /**
     * Until the last event is sent: 30 to 90 s after the last fault (or the start), but not before the job has
     * recovered from it, kills one part with kill -9, starts it again, and times the recovery.
     */
    private void injectFaults() throws Exception {
        int fault = 0;
        long lastFault = System.currentTimeMillis();
        List<String> kinds = new ArrayList<>();
        while (true) {
            long until = lastFault + 30_000 + random.nextInt(60_001);
            while (producing.get() && System.currentTimeMillis() < until) {
                Thread.sleep(200);
            }
            if (!producing.get()) {
                return;
            }
            fault++;
            // Each kind of part once in every three faults, in a random order, so that a short run meets them all.
            if (kinds.isEmpty()) {
                kinds.addAll(List.of("taskmanager", "kafka", "jobmanager"));
                java.util.Collections.shuffle(kinds, random);
            }
            String kind = kinds.remove(0);
            String part = kind.equals("taskmanager") ? "taskmanager-" + (1 + random.nextInt(taskManagers)) : kind;
            lastFault = System.currentTimeMillis();
            String at = LocalTime.now().format(TIME);
            int failuresBefore = part.equals("jobmanager") ? 0 : stack.failures(job).size();
            long killed = System.nanoTime();
            switch (part) {
                case "kafka" -> {
                    stack.run("kill-kafka");
                    stack.run("start-kafka");
                }
                case "jobmanager" -> {
                    stack.run("kill-jobmanager");
                    stack.run("start-jobmanager");
                }
                default -> {
                    String number = part.substring("taskmanager-".length());
                    stack.run("kill-taskmanager", number);
                    stack.run("start-taskmanager", number);
                }
            }
            long restarted = System.nanoTime();
            if (part.startsWith("taskmanager")) {
                // Until the JobManager notices the loss, the job still looks RUNNING. (Without its broker it may
                // not fail at all: its Kafka clients wait for the broker to return.)
                awaitRestart(failuresBefore, Duration.ofSeconds(60));
            }
            stack.awaitRunning(job, Duration.ofMinutes(5));
            double runningAfter = (System.nanoTime() - killed) / 1e9;
            String restarts = part.equals("jobmanager") ? "recovered by the new JobManager"
                    : "job restarts: " + (stack.failures(job).size() - failuresBefore);
            // Nothing commits between the kill and the part's return: a checkpoint needs every task, the JobManager
            // and the broker.
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (lastCommit.get() - restarted < 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String flowing = lastCommit.get() - restarted < 0 ? "no results committed in the 5 min after"
                    : String.format("results committed again after %.1f s", (lastCommit.get() - killed) / 1e9);
            log(String.format("fault %d at %s: kill -9 %s, started again after %.1f s; job RUNNING after %.1f s (%s), %s",
                    fault, at, part, (restarted - killed) / 1e9, runningAfter, restarts, flowing));
        }
    }

    private void awaitRestart(int failuresBefore, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (stack.failures(job).size() > failuresBefore) {
                    return;
                }
            } catch (java.io.IOException | AssertionError unreachable) {
                // the REST API is briefly busy; ask again
            }
            Thread.sleep(200);
        }
        log("the job did not restart within " + timeout);
    }

    /** Notes when outcomes are committed (read_committed), through broker restarts. */
    private void noteCommits() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "chaos-progress-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("detections", "dead-letters"));
            while (true) {
                if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                    lastCommit.set(System.nanoTime());
                }
            }
        }
    }

    private void log(String message) {
        System.out.println("[" + LocalTime.now().format(TIME) + "] " + message);
    }
}
