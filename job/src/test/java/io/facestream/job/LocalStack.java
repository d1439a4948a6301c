package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The real multi-process stack of deploy/local/stack.sh (a ZooKeeper JVM for high availability, a Kafka
 * broker JVM, a JobManager JVM and TaskManager JVMs) on free ports in a folder of its own, driven the
 * way an operator drives it: through stack.sh, Flink's CLI and REST API, and Kafka clients.
 */
final class LocalStack implements AutoCloseable {

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    private final Map<String, String> env = new HashMap<>();
    private final Path script = Path.of("..", "deploy", "local", "stack.sh").toAbsolutePath().normalize();
    private final String name;
    private final HttpClient http = HttpClient.newHttpClient();
    private boolean started;
    private boolean quiet;

    /** @param settings stack.sh's environment settings (TASKMANAGERS, TASKMANAGER_SLOTS, ...) */
    LocalStack(String name, Path dir, Map<String, String> settings) throws IOException {
        this.name = name;
        env.put("FACESTREAM_LOCAL_DIR", dir.toString());
        env.put("KAFKA_PORT", Integer.toString(freePort()));
        env.put("KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("FLINK_REST_PORT", Integer.toString(freePort()));
        env.put("FLINK_RPC_PORT", Integer.toString(freePort()));
        env.put("ZOOKEEPER_PORT", Integer.toString(freePort()));
        env.putAll(settings);
    }

    /** Leaves out what stack.sh prints when it succeeds. */
    LocalStack quiet() {
        quiet = true;
        return this;
    }

    LocalStack start() throws IOException, InterruptedException {
        started = true;
        run("start");
        return this;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + env.get("KAFKA_PORT");
    }

    /** Runs stack.sh with these arguments; fails the test when it fails. */
    String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError("stack.sh " + String.join(" ", args) + " failed:\n" + output);
        }
        if (!quiet) {
            log("stack.sh " + String.join(" ", args) + "\n" + output.strip());
        }
        return output;
    }

    void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                newTopics.add(new NewTopic(topic, partitions, (short) 1));
            }
            admin.createTopics(newTopics).all().get();
        }
    }

    /** Submits the job subcommand with {@code args} (stack.sh submit's own options first); returns its job id. */
    String submit(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("submit"));
        command.addAll(List.of(args));
        return find(JOB_ID, run(command.toArray(String[]::new)), "a job id");
    }

    /** Stops the job with a savepoint; returns the savepoint's path. */
    String stopWithSavepoint(String jobId) throws IOException, InterruptedException {
        return find(SAVEPOINT, run("stop-job", jobId), "a savepoint path");
    }

    /**
     * Waits until every task of the job runs: each subtask has opened its model. A JobManager that is starting
     * (no REST API yet, or the job not yet recovered) is waited for too.
     */
    void awaitRunning(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonObject job;
            try {
                job = rest("/jobs/" + jobId).getAsJsonObject();
            } catch (IOException | AssertionError notYet) {
                last = "unknown: " + notYet.getMessage();
                Thread.sleep(500);
                continue;
            }
            last = job.get("state").getAsString();
            boolean allRunning = last.equals("RUNNING");
            for (JsonElement vertex : job.getAsJsonArray("vertices")) {
                JsonObject counts = vertex.getAsJsonObject().getAsJsonObject("tasks");
                allRunning &= counts.get("RUNNING").getAsInt() == vertex.getAsJsonObject().get("parallelism").getAsInt();
            }
            if (allRunning) {
                return;
            }
            if (last.equals("FAILED") || last.equals("CANCELED") || last.equals("FINISHED")) {
                break;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("job " + jobId + " did not reach RUNNING with all its tasks (last state " + last
                + "); its failures: " + failures(jobId));
    }

    /** The names of the exceptions the job failed or restarted with, oldest last. */
    List<String> failures(String jobId) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (JsonElement entry : rest("/jobs/" + jobId + "/exceptions").getAsJsonObject()
                .getAsJsonObject("exceptionHistory").getAsJsonArray("entries")) {
            JsonObject failure = entry.getAsJsonObject();
            names.add(failure.get("exceptionName").getAsString() + ": "
                    + failure.get("stacktrace").getAsString().lines().findFirst().orElse(""));
        }
        return names;
    }

    /** The id of the job's latest completed checkpoint, as its JobManager knows it; -1 for none. */
    long latestCompletedCheckpoint(String jobId) throws IOException, InterruptedException {
        JsonElement completed = rest("/jobs/" + jobId + "/checkpoints").getAsJsonObject().getAsJsonObject("latest").get("completed");
        return completed == null || completed.isJsonNull() ? -1 : completed.getAsJsonObject().get("id").getAsLong();
    }

    /** The id of the checkpoint the job was last restored from by its current JobManager; -1 for none. */
    long restoredCheckpoint(String jobId) throws IOException, InterruptedException {
        JsonElement restored = rest("/jobs/" + jobId + "/checkpoints").getAsJsonObject().getAsJsonObject("latest").get("restored");
        return restored == null || restored.isJsonNull() ? -1 : restored.getAsJsonObject().get("id").getAsLong();
    }

    JsonElement rest(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + env.get("FLINK_REST_PORT") + path)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JsonParser.parseString(response.body());
    }

    /** The process id of a part of the stack: kafka, jobmanager, taskmanager-N. */
    long pid(String part) throws IOException {
        return Long.parseLong(Files.readString(Path.of(env.get("FACESTREAM_LOCAL_DIR"), "pids", part)).strip());
    }

    /**
     * One committed outcome: its event id, and the dead letter's reason (null for a result) or the result's faces'
     * track ids (null for an untracked face; one per face).
     */
    record Outcome(String eventId, DeadLetterReason reason, List<String> trackIds) {
        int faces() {
            return trackIds.size();
        }
    }

    /**
     * The outcomes in result and dead-letter topics (FaceStream's Avro records), read_committed,
     * until {@code expected} of them or the timeout, and then up to the topics' last stable offsets, so that
     * duplicates are read too.
     */
    List<Outcome> committedOutcomes(String resultTopic, String deadLetterTopic, int expected, Duration timeout) {
        List<Outcome> outcomes = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, name + "-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(resultTopic, deadLetterTopic));
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean atEnd = false;
            while (!atEnd) {
                if (outcomes.size() >= expected || System.nanoTime() >= deadline) {
                    Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
                    atEnd = end.entrySet().stream().allMatch(partition -> consumer.position(partition.getKey()) >= partition.getValue());
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.topic().equals(resultTopic)) {
                        FaceDetectionResult result = AvroCodec.decode(record.value(), FaceDetectionResult.class);
                        outcomes.add(new Outcome(result.getEventId(), null,
                                result.getFaces().stream().map(io.facestream.avro.Face::getTrackId).toList()));
                    } else {
                        DeadLetter deadLetter = AvroCodec.decode(record.value(), DeadLetter.class);
                        outcomes.add(new Outcome(deadLetter.getEventId(), deadLetter.getReason(), List.of()));
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("unreadable output record", e);
        }
        return outcomes;
    }

    /**
     * The records committed in {@code topic} (read_committed): once {@code expected} are there (or the timeout
     * passed), everything up to the topic's last stable offset then, so that duplicates are read too.
     */
    List<ConsumerRecord<byte[], byte[]>> committedRecords(String topic, int expected, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /** Outcomes per event id (see {@link #committedOutcomes}). */
    Map<String, Integer> outcomes(String resultTopic, String deadLetterTopic, int expected, Duration timeout) {
        Map<String, Integer> outcomes = new HashMap<>();
        for (Outcome outcome : committedOutcomes(resultTopic, deadLetterTopic, expected, timeout)) {
            outcomes.merge(String.valueOf(outcome.eventId()), 1, Integer::sum);
        }
        return outcomes;
    }

    /** Waits until at least {@code count} outcomes are committed: the job runs end to end. */
    void awaitOutcomes(String resultTopic, String deadLetterTopic, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int committed = outcomes(resultTopic, deadLetterTopic, count, Duration.ofSeconds(3)).values().stream()
                    .mapToInt(Integer::intValue).sum();
            if (committed >= count) {
                return;
            }
        }
        throw new AssertionError("fewer than " + count + " outcomes were committed in " + timeout);
    }

    /**
     * Events sent against their committed outcomes: {@code out} counts every outcome, {@code duplicates} the events
     * with more than one, {@code missing} those with none, {@code unexpected} the outcomes of events never sent.
     */
    record Tally(int in, int out, long duplicates, long missing, long unexpected) {
        static Tally of(Set<String> sent, Map<String, Integer> outcomes) {
            return new Tally(sent.size(), outcomes.values().stream().mapToInt(Integer::intValue).sum(),
                    outcomes.values().stream().filter(count -> count > 1).count(),
                    sent.stream().filter(id -> !outcomes.containsKey(id)).count(),
                    outcomes.keySet().stream().filter(id -> !sent.contains(id)).count());
        }

        boolean exactlyOnce() {
            return duplicates == 0 && missing == 0 && unexpected == 0;
        }

        @Override
        public String toString() {
            return String.format("in %d, out %d, duplicates %d, missing %d", in, out, duplicates, missing)
                    + (unexpected == 0 ? "" : ", unexpected " + unexpected);
        }
    }

    /** Exactly one outcome for every event sent, and none for anything else. */
    void assertOneOutcomePerEvent(Set<String> sent, Map<String, Integer> outcomes) {
        Tally tally = Tally.of(sent, outcomes);
        log(tally + " (distinct " + outcomes.size() + ")");
        assertThat(tally.duplicates()).as("events with more than one outcome").isZero();
        assertThat(tally.missing()).as("events without an outcome").isZero();
        assertThat(tally.unexpected()).as("outcomes of events never sent").isZero();
    }

    /**
     * With tracking on, each source showing one still photo in every frame: each face keeps one track from
     * its source's second frame on (the first is the track's unconfirmed start), through whatever the job went
     * through. A lost track state would start new tracks, with new ids; a frame late for ordering passes untracked.
     *
     * @param sourceOf the source each event was sent from; events of no tracked source map to null
     */
    void assertTracksKept(List<Outcome> outcomes, java.util.function.Function<String, String> sourceOf) {
        Map<String, Set<String>> idsPerSource = new java.util.TreeMap<>();
        Map<String, Integer> facesPerSource = new HashMap<>();
        int untracked = 0;
        int tracked = 0;
        List<String> untrackedEvents = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            String source = sourceOf.apply(outcome.eventId());
            if (outcome.reason() != null || source == null) {
                continue;
            }
            facesPerSource.merge(source, outcome.faces(), Math::max);
            for (String id : outcome.trackIds()) {
                if (id == null) {
                    untracked++;
                    untrackedEvents.add(outcome.eventId());
                } else {
                    tracked++;
                    idsPerSource.computeIfAbsent(source, s -> new java.util.TreeSet<>()).add(id);
                }
            }
        }
        log(String.format("tracked faces %d, untracked %d; track ids per source: %s", tracked, untracked, idsPerSource));
        log("untracked faces in events " + untrackedEvents.stream().sorted().toList());
        assertThat(facesPerSource).isNotEmpty();
        for (Map.Entry<String, Integer> source : facesPerSource.entrySet()) {
            assertThat(idsPerSource.getOrDefault(source.getKey(), Set.of())).as("track ids of source %s (%d faces in each of "
                    + "its frames)", source.getKey(), source.getValue()).hasSize(source.getValue());
            assertThat(idsPerSource.getOrDefault(source.getKey(), Set.of()))
                    .allSatisfy(id -> assertThat(id).startsWith(source.getKey() + "/"));
        }
        // The unconfirmed first frame of each track, plus at most a few frames late for ordering around the failures.
        int firstFrames = facesPerSource.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(untracked).as("untracked faces").isLessThanOrEqualTo(firstFrames + tracked / 100);
    }

    void log(String message) {
        System.out.println("[" + name + "] " + message);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (started) {
            run("stop");
        }
    }

    private static String find(Pattern pattern, String output, String what) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new AssertionError("no " + what + " in:\n" + output);
        }
        return matcher.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
