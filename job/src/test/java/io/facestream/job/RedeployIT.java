package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.GoldenDetections;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators do twice, on the real local stack of deploy/local/stack.sh, all on one warm
 * TaskManager JVM: stop a job with a savepoint and resubmit it from there with a rebuilt jar and
 * another parallelism, run a second FaceStream job (raw mode, another transactional-id prefix)
 * beside it, and redeploy ten times in a row. Every job must start its model on the TaskManager
 * that earlier jobs used, every event must have exactly one outcome across the redeploys, and the
 * TaskManager's footprint must come back to its level after the first redeploy. The first job tracks
 * faces of four cameras (record keys), each showing one photo: through the savepoint, the rebuilt jar
 * and the new parallelism every face keeps its track id.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class RedeployIT {

    private static final int EVENTS = 600;
    /** Every 40th event is garbage, so dead letters go through the redeploy too. */
    private static final int BAD_EVERY = 40;
    private static final int REDEPLOYS = 10;
    /** How far the TaskManager's metaspace, RSS and thread count may end from their level after the first redeploy. */
    private static final double FOOTPRINT_TOLERANCE = 0.05;

    @TempDir
    Path tmp;

    private final List<byte[]> photos = new ArrayList<>();
    private final Set<String> sent = new LinkedHashSet<>();

    @Test
    void resubmitsUpgradesAndASecondJobRunOnWarmTaskManagersWithOneOutcomePerEvent() throws Exception {
        for (String photo : List.of("Bryan.png", "Luciano.png", "coffee.png", "Chris.jpeg")) {
            photos.add(Files.readAllBytes(GoldenDetections.testdata().resolve(photo)));
        }
        // One TaskManager, so that every job lands on the JVM the earlier ones used; its heap touched
        // from the start (AlwaysPreTouch), so that RSS shows what grows outside the heap, not the heap's first use.
        try (LocalStack stack = new LocalStack("redeploy", tmp.resolve("stack"), Map.of("TASKMANAGERS", "1",
                "TASKMANAGER_SLOTS", "4", "TASKMANAGER_MEMORY", "2000m", "TASKMANAGER_JAVA_OPTS", "-XX:+AlwaysPreTouch")).start()) {
            String bootstrap = stack.bootstrapServers();
            stack.createTopics(2, "images", "detections", "dead-letters");
            stack.createTopics(1, "raw-images", "raw-detections", "raw-dead-letters");
            List<String> jobFlags = List.of("--bootstrap-servers", bootstrap, "--input-topic", "images",
                    "--output-topic", "detections", "--dead-letter-topic", "dead-letters", "--checkpoint-interval", "2s",
                    "--transactional-id-prefix", "redeploy-" + UUID.randomUUID(),
                    // Events come in bursts minutes apart in event time (the wall clock): tracks must not idle out between them.
                    "--track", "--track-idle", "1h");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                String first = stack.submit(with(jobFlags, "--parallelism", "1"));
                stack.awaitRunning(first, Duration.ofMinutes(3));
                send(producer, 0, EVENTS / 3);
                stack.awaitOutcomes("detections", "dead-letters", 20, Duration.ofMinutes(3));

                // A second FaceStream job beside the first, on the TaskManager whose ONNX Runtime the first one started.
                String second = stack.submit("--bootstrap-servers", bootstrap, "--input-format", "raw",
                        "--input-topic", "raw-images", "--output-topic", "raw-detections", "--dead-letter-topic", "raw-dead-letters",
                        "--group-id", "facestream-raw", "--checkpoint-interval", "2s", "--parallelism", "1",
                        "--transactional-id-prefix", "redeploy-raw-" + UUID.randomUUID());
                stack.awaitRunning(second, Duration.ofMinutes(3));
                Map<String, RawExpectation> raw = sendRaw(producer);

                send(producer, EVENTS / 3, EVENTS * 2 / 3);
                String savepoint = stack.stopWithSavepoint(first);
                // Sent while no job reads the topic: the upgraded job finds them where the savepoint left off.
                send(producer, EVENTS * 2 / 3, EVENTS * 5 / 6);
                String upgraded = stack.submit(with(List.of("--jar", rebuiltJar().toString(), "--from-savepoint", savepoint),
                        with(jobFlags, "--parallelism", "2")));
                stack.awaitRunning(upgraded, Duration.ofMinutes(3));
                send(producer, EVENTS * 5 / 6, EVENTS);

                assertThat(sent).hasSize(EVENTS);
                List<LocalStack.Outcome> committed = stack.committedOutcomes("detections", "dead-letters", EVENTS, Duration.ofMinutes(5));
                Map<String, Integer> outcomes = new HashMap<>();
                committed.forEach(outcome -> outcomes.merge(String.valueOf(outcome.eventId()), 1, Integer::sum));
                stack.assertOneOutcomePerEvent(sent, outcomes);
                stack.assertTracksKept(committed, id -> camera(Integer.parseInt(id.substring("event-".length()))));
                assertRawOutcomes(stack, raw);
                for (String job : List.of(first, second, upgraded)) {
                    assertThat(stack.failures(job)).as("failures of job " + job).isEmpty();
                }

                // Ten redeploys in a row, the raw job gone: what is left of the old jobs on the TaskManager.
                stack.run("cancel-job", second);
                long taskManager = stack.pid("taskmanager-1");
                String current = upgraded;
                Footprint afterFirst = null;
                Footprint afterLast = null;
                for (int i = 1; i <= REDEPLOYS; i++) {
                    String from = stack.stopWithSavepoint(current);
                    current = stack.submit(with(List.of("--from-savepoint", from), with(jobFlags, "--parallelism", "2")));
                    stack.awaitRunning(current, Duration.ofMinutes(3));
                    Footprint footprint = i == 1 || i == REDEPLOYS ? Footprint.settled(taskManager, 1) : Footprint.of(taskManager);
                    stack.log(String.format("after redeploy %2d: %s", i, footprint));
                    afterFirst = i == 1 ? footprint : afterFirst;
                    afterLast = footprint;
                }
                assertThat(stack.failures(current)).isEmpty();
                assertThat(afterLast.userCodeClassLoaders()).as("job classloaders alive after %d redeploys: the running "
                        + "job's only", REDEPLOYS).isEqualTo(1);
                assertThat((double) afterLast.metaspaceKb()).as("TaskManager metaspace (KB) after %d redeploys", REDEPLOYS)
                        .isLessThanOrEqualTo(afterFirst.metaspaceKb() * (1 + FOOTPRINT_TOLERANCE));
                assertThat((double) afterLast.rssKb()).as("TaskManager RSS (KB) after %d redeploys", REDEPLOYS)
                        .isLessThanOrEqualTo(afterFirst.rssKb() * (1 + FOOTPRINT_TOLERANCE));
                assertThat((double) afterLast.threads()).as("TaskManager threads after %d redeploys", REDEPLOYS)
                        .isLessThanOrEqualTo(afterFirst.threads() * (1 + FOOTPRINT_TOLERANCE));
            }
        }
    }

    /** Events from four cameras, each always showing its own photo; the garbage keyed by its event id. */
    private void send(KafkaProducer<byte[], byte[]> producer, int from, int to) {
        for (int i = from; i < to; i++) {
            String id = String.format("event-%05d", i);
            boolean bad = i % BAD_EVERY == BAD_EVERY - 1;
            byte[] value = bad ? ("not an image event " + i).getBytes(StandardCharsets.UTF_8)
                    : AvroCodec.encode(ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now())
                            .setImageBytes(ByteBuffer.wrap(photos.get(i % photos.size()))).build());
            String key = bad ? id : camera(i);
            producer.send(new ProducerRecord<>("images", key.getBytes(StandardCharsets.UTF_8), value));
            sent.add(id);
        }
        producer.flush();
    }

    private String camera(int event) {
        return "camera-" + event % photos.size();
    }

    private record RawExpectation(DeadLetterReason deadLetter) {
        static RawExpectation result() {
            return new RawExpectation(null);
        }
    }

    /** Raw records as careless producers send them, each with the outcome it must get. */
    private Map<String, RawExpectation> sendRaw(KafkaProducer<byte[], byte[]> producer) {
        Map<String, RawExpectation> expected = new HashMap<>();
        ProducerRecord<byte[], byte[]> nullHeader = raw("null-content-type", photos.get(0));
        nullHeader.headers().add(new RecordHeader(ImageEventDeserializer.CONTENT_TYPE_HEADER, (byte[]) null));
        expected.put("null-content-type", RawExpectation.result());
        ProducerRecord<byte[], byte[]> oddHeaders = raw("odd-headers", photos.get(3));
        oddHeaders.headers().add(new RecordHeader("content-type", new byte[0]))
                .add(new RecordHeader("binary", new byte[] {(byte) 0xFF, 0, (byte) 0xC3}))
                .add(new RecordHeader("empty", (byte[]) null));
        expected.put("odd-headers", RawExpectation.result());
        ProducerRecord<byte[], byte[]> garbage = raw("garbage", "no image at all".getBytes(StandardCharsets.UTF_8));
        garbage.headers().add(new RecordHeader(ImageEventDeserializer.CONTENT_TYPE_HEADER, (byte[]) null));
        expected.put("garbage", new RawExpectation(DeadLetterReason.UNSUPPORTED_FORMAT));
        for (ProducerRecord<byte[], byte[]> record : List.of(nullHeader, oddHeaders, garbage, raw("plain", photos.get(1)))) {
            producer.send(record);
        }
        expected.put("plain", RawExpectation.result());
        producer.flush();
        return expected;
    }

    private static ProducerRecord<byte[], byte[]> raw(String id, byte[] value) {
        return new ProducerRecord<>("raw-images", id.getBytes(StandardCharsets.UTF_8), value);
    }

    private static void assertRawOutcomes(LocalStack stack, Map<String, RawExpectation> expected) {
        List<LocalStack.Outcome> outcomes = stack.committedOutcomes("raw-detections", "raw-dead-letters", expected.size(),
                Duration.ofMinutes(2));
        assertThat(outcomes).extracting(LocalStack.Outcome::eventId).as("one outcome per raw record")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (LocalStack.Outcome outcome : outcomes) {
            assertThat(outcome.reason()).as("outcome of " + outcome.eventId()).isEqualTo(expected.get(outcome.eventId()).deadLetter());
            if (outcome.reason() == null) {
                assertThat(outcome.faces()).as("faces of " + outcome.eventId()).isPositive();
            }
        }
    }

    /** The job jar built again: other bytes (so Flink treats it as a new artifact), the same classes. */
    private Path rebuiltJar() throws IOException {
        Path original = Path.of("target", "facestream.jar").toAbsolutePath();
        Path rebuilt = tmp.resolve("facestream-rebuilt.jar");
        try (ZipFile in = new ZipFile(original.toFile()); OutputStream file = Files.newOutputStream(rebuilt);
             ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.getInputStream(entry).transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("META-INF/facestream-rebuilt.txt"));
            out.write(("rebuilt at " + Instant.now()).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return rebuilt;
    }

    private static String[] with(List<String> first, String... more) {
        return with(first, List.of(more));
    }

    private static String[] with(List<String> first, List<String> more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(more);
        return all.toArray(String[]::new);
    }

    /**
     * A JVM after a full GC: its metaspace in use, resident memory, threads (without the JVM's
     * on-demand compiler and GC workers) and the Flink user-code classloaders still alive (the
     * running job's, and old jobs' not yet released).
     */
    record Footprint(long metaspaceKb, long rssKb, int threads, int userCodeClassLoaders) {

        private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used (\\d+)K");
        /** A TaskManager releases a finished job's classloader some seconds after the job ends. */
        private static final Duration RELEASE = Duration.ofSeconds(120);

        static Footprint of(long pid) throws IOException, InterruptedException {
            jcmd(pid, "GC.run");
            Matcher metaspace = METASPACE.matcher(jcmd(pid, "GC.heap_info"));
            assertThat(metaspace.find()).as("jcmd GC.heap_info names the metaspace in use").isTrue();
            int loaders = (int) jcmd(pid, "VM.classloader_stats").lines().filter(line -> line.contains("ChildFirstClassLoader")).count();
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return new Footprint(Long.parseLong(metaspace.group(1)), statusValue(status, "VmRSS"), threadsOfItsOwn(pid),
                    loaders);
        }

        /**
         * HotSpot starts and stops compiler and GC worker threads as the load asks
         * (UseDynamicNumberOfCompilerThreads, UseDynamicNumberOfGCThreads): counted with them, one CI run
         * saw 83 threads after the first redeploy and 88 after the tenth where others saw 87 and 87.
         * What old jobs leave behind is among the other threads.
         */
        private static final Pattern JVM_ON_DEMAND = Pattern.compile("C[12] CompilerThre.*|GC Thread#\\d+|G1 Conc#\\d+|G1 Refine#\\d+");

        private static int threadsOfItsOwn(long pid) throws IOException {
            int threads = 0;
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    String name;
                    try {
                        name = Files.readString(task.resolve("comm")).strip();
                    } catch (IOException ended) {
                        continue;
                    }
                    if (!JVM_ON_DEMAND.matcher(name).matches()) {
                        threads++;
                    }
                }
            }
            return threads;
        }

        /**
         * The footprint once the TaskManager has released the classloaders of the jobs that
         * ended: sampled until no more than {@code running} are alive, or the time is up.
         */
        static Footprint settled(long pid, int running) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + RELEASE.toNanos();
            Footprint footprint = of(pid);
            while (footprint.userCodeClassLoaders() > running && System.nanoTime() < deadline) {
                Thread.sleep(5_000);
                footprint = of(pid);
            }
            return footprint;
        }

        private static long statusValue(String status, String key) {
            Matcher value = Pattern.compile("(?m)^" + key + ":\\s+(\\d+)").matcher(status);
            assertThat(value.find()).as(key + " in /proc/PID/status").isTrue();
            return Long.parseLong(value.group(1));
        }

        private static String jcmd(long pid, String command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as("jcmd " + command + ": " + output).isZero();
            return output;
        }

        @Override
        public String toString() {
            return String.format("metaspace %d KB, RSS %d KB, %d threads, %d job classloader(s)", metaspaceKb, rssKb, threads,
                    userCodeClassLoaders);
        }
    }
}
