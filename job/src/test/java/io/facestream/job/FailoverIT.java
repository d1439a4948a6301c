package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.GoldenDetections;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through failures on the real local stack of deploy/local/stack.sh (a Kafka broker
 * JVM, a JobManager JVM and TaskManager JVMs): while events stream in, one TaskManager is killed
 * with kill -9 and replaced, and later the broker is restarted. In the end a read_committed
 * consumer must find exactly one result or dead letter per event.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FailoverIT {

    private static final int EVENTS = 2000;
    /** Every 40th event is garbage, so dead letters go through the failures too. */
    private static final int BAD_EVERY = 40;

    @TempDir
    Path tmp;

    private final Map<String, String> env = new HashMap<>();
    private final Path stack = Path.of("..", "deploy", "local", "stack.sh").toAbsolutePath().normalize();

    private String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", stack.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError("stack.sh " + String.join(" ", args) + " failed:\n" + output);
        }
        System.out.println("[failover] stack.sh " + String.join(" ", args) + "\n" + output.strip());
        return output;
    }

    @AfterEach
    void stopStack() throws Exception {
        if (!env.isEmpty()) {
            run("stop");
        }
    }

    @Test
    void exactlyOneOutcomePerEventThroughATaskManagerKillAndABrokerRestart() throws Exception {
        env.put("FACESTREAM_LOCAL_DIR", tmp.resolve("stack").toString());
        int kafkaPort = freePort();
        env.put("KAFKA_PORT", Integer.toString(kafkaPort));
        env.put("KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("FLINK_REST_PORT", Integer.toString(freePort()));
        env.put("FLINK_RPC_PORT", Integer.toString(freePort()));
        String bootstrap = "127.0.0.1:" + kafkaPort;
        run("start");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("images", 2, (short) 1), new NewTopic("detections", 2, (short) 1),
                    new NewTopic("dead-letters", 2, (short) 1))).all().get();
        }
        String submitted = run("submit", "--bootstrap-servers", bootstrap, "--input-topic", "images", "--output-topic", "detections",
                "--dead-letter-topic", "dead-letters", "--parallelism", "2", "--checkpoint-interval", "2s",
                "--transactional-id-prefix", "failover-" + UUID.randomUUID());

        List<byte[]> photos = new ArrayList<>();
        for (String name : List.of("Bryan.png", "Luciano.png", "coffee.png", "camera.png")) {
            photos.add(Files.readAllBytes(GoldenDetections.testdata().resolve(name)));
        }
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failedSends = new AtomicInteger();
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String id = String.format("event-%05d", i);
                byte[] value = i % BAD_EVERY == BAD_EVERY - 1 ? ("not an image event " + i).getBytes(StandardCharsets.UTF_8)
                        : AvroCodec.encode(ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now())
                                .setImageBytes(ByteBuffer.wrap(photos.get(i % photos.size()))).build());
                producer.send(new ProducerRecord<>("images", id.getBytes(StandardCharsets.UTF_8), value), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.add(id);
                    } else {
                        failedSends.incrementAndGet();
                    }
                });
                if (i == EVENTS / 4) {
                    producer.flush();
                    waitForCommitted(bootstrap, 50, Duration.ofMinutes(3));
                    run("kill-taskmanager", "1");
                    run("start-taskmanager", "3");
                } else if (i == EVENTS * 3 / 5) {
                    producer.flush();
                    run("stop-kafka");
                    Thread.sleep(3000);
                    run("start-kafka");
                }
                Thread.sleep(15); // a steady stream rather than one burst
            }
            producer.flush();
        }
        System.out.printf("[failover] produced %d events (%d acknowledged, %d failed sends) in %.0f s%n",
                EVENTS, acknowledged.size(), failedSends.get(), (System.nanoTime() - started) / 1e9);
        assertThat(acknowledged).hasSize(EVENTS);

        Map<String, Integer> outcomes = collectOutcomes(bootstrap, EVENTS, Duration.ofMinutes(6));
        long duplicates = outcomes.values().stream().filter(count -> count > 1).count();
        long missing = acknowledged.stream().filter(id -> !outcomes.containsKey(id)).count();
        long unexpected = outcomes.keySet().stream().filter(id -> !acknowledged.contains(id)).count();
        int total = outcomes.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("[failover] in %d, out %d (distinct %d), duplicates %d, missing %d, unexpected %d, %.0f s in all%n",
                acknowledged.size(), total, outcomes.size(), duplicates, missing, unexpected, (System.nanoTime() - started) / 1e9);
        assertThat(duplicates).as("events with more than one outcome").isZero();
        assertThat(missing).as("events without an outcome").isZero();
        assertThat(unexpected).isZero();
        assertThat(total).isEqualTo(EVENTS);

        java.util.regex.Matcher jobId = java.util.regex.Pattern.compile("JobID ([0-9a-f]{32})").matcher(submitted);
        assertThat(jobId.find()).as(submitted).isTrue();
        String exceptions = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://localhost:" + env.get("FLINK_REST_PORT") + "/jobs/" + jobId.group(1) + "/exceptions")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        var failures = com.google.gson.JsonParser.parseString(exceptions).getAsJsonObject()
                .getAsJsonObject("exceptionHistory").getAsJsonArray("entries");
        System.out.println("[failover] failures the job recovered from: " + failures.size());
        failures.forEach(entry -> System.out.println("[failover]   " + entry.getAsJsonObject().get("exceptionName").getAsString()));
        assertThat(failures.size()).as("the job went through the TaskManager loss").isGreaterThanOrEqualTo(1);
    }

    /** Waits until the job has committed at least {@code count} results: it is running end to end. */
    private static void waitForCommitted(String bootstrap, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (outcomeCount(bootstrap) >= count) {
                return;
            }
        }
        throw new AssertionError("the job committed fewer than " + count + " outcomes in " + timeout);
    }

    private static int outcomeCount(String bootstrap) {
        return collectOutcomes(bootstrap, Integer.MAX_VALUE, Duration.ofSeconds(3)).values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Outcomes per event id over results and dead letters, read_committed, until {@code expected} or the timeout. */
    private static Map<String, Integer> collectOutcomes(String bootstrap, int expected, Duration timeout) {
        Map<String, Integer> outcomes = new HashMap<>();
        int total = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "failover-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("detections", "dead-letters"));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (total < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    String id = record.topic().equals("detections")
                            ? AvroCodec.decode(record.value(), FaceDetectionResult.class).getEventId()
                            : AvroCodec.decode(record.value(), DeadLetter.class).getEventId();
                    outcomes.merge(id, 1, Integer::sum);
                    total++;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("unreadable output record", e);
        }
        return outcomes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
