import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The whole job end to end (topics images/detections), in two steps around the job's submission:
 * {@code fill} puts a backlog of warm-up events and then COUNT frame events on the input topic before
 * the job starts, so that producing it does not compete with the job for the CPU; {@code measure} (job reading from
 * the earliest offsets) times the backlog's results (full load), then paces events at half the
 * measured throughput for HALF_SECONDS (half load). Latency = from an event's event time (set when
 * it is sent) to its result becoming visible to a read_committed consumer; at full load it
 * includes the wait in the backlog.
 *
 * java -cp job/target/facestream.jar job/bench/JobBench.java fill BOOTSTRAP FRAMES_DIR COUNT
 * java -cp job/target/facestream.jar job/bench/JobBench.java measure BOOTSTRAP FRAMES_DIR COUNT HALF_SECONDS
 */
public class JobBench {

    private static final int SINGLE_IMAGES = 30;
    /**
     * Events ahead of the measured backlog, so that the JVMs' JIT compilers are done before it
     * (environment variable WARMUP_EVENTS, default 1500).
     */
    private static final int WARM_UP_EVENTS = Integer.parseInt(System.getenv().getOrDefault("WARMUP_EVENTS", "1500"));

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String bootstrap = args[1];
        List<byte[]> frames = new ArrayList<>();
        try (var files = Files.list(Path.of(args[2]))) {
            for (Path file : files.sorted().toList()) {
                frames.add(Files.readAllBytes(file));
            }
        }
        int count = Integer.parseInt(args[3]);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            if (mode.equals("fill")) {
                long sendStart = System.nanoTime();
                for (int i = 0; i < WARM_UP_EVENTS; i++) {
                    send(producer, "warm-" + i, frames.get(i % frames.size()));
                }
                for (int i = 0; i < count; i++) {
                    send(producer, "full-" + i, frames.get(i % frames.size()));
                }
                producer.flush();
                System.out.printf("backlog: %d warm-up events, then %d measured events (%d distinct 1920x1080 JPEG frames as Avro "
                        + "events), written in %.1f s%n", WARM_UP_EVENTS, count, frames.size(), (System.nanoTime() - sendStart) / 1e9);
            } else {
                measure(producer, bootstrap, frames, count, Integer.parseInt(args[4]));
            }
        }
    }

    private static void measure(KafkaProducer<byte[], byte[]> producer, String bootstrap, List<byte[]> frames, int count,
            int halfSeconds) throws Exception {
        System.out.printf("method: full load = a backlog of %d warm-up events and then %d measured events, written before "
                + "the job started; throughput over the middle 80 %% of the measured events' results; half load: paced at half the full-load throughput for %d s; latency from "
                + "event time to the result being visible to a read_committed consumer%n", WARM_UP_EVENTS, count, halfSeconds);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("detections"));
            // Full load; the processes' CPU time is read as the results at 10 % and 90 % arrive.
            Map<String, Long> pids = processes();
            CpuSnapshot[] cpu = new CpuSnapshot[2];
            long[] cpuAt = new long[2];
            List<long[]> full = collect(consumer, "full-", count, Duration.ofMinutes(20), seen -> {
                if (seen == count / 10 + 1) {
                    cpu[0] = CpuSnapshot.of(pids);
                    cpuAt[0] = System.currentTimeMillis();
                } else if (seen == count * 9 / 10 + 1) {
                    cpu[1] = CpuSnapshot.of(pids);
                    cpuAt[1] = System.currentTimeMillis();
                }
            });
            // Throughput over the middle 80 % of completions, clear of start-up and the final checkpoint.
            long t10 = full.get(count / 10)[0];
            long t90 = full.get(count * 9 / 10)[0];
            int windowImages = count * 9 / 10 - count / 10;
            double throughput = windowImages / ((t90 - t10) / 1e3);
            System.out.printf("full load: %d results; throughput %.1f images/s; latency (including the wait in the backlog) %s%n",
                    full.size(), throughput, percentiles(full));
            // Results become visible a checkpoint at a time, so the CPU time between two reads is
            // divided by the images the TaskManager finished between them (their processedAt).
            int processed = (int) full.stream().filter(r -> r[3] >= cpuAt[0] && r[3] < cpuAt[1]).count();
            double taskManagerCpu = cpu[1] == null ? Double.NaN : cpu[1].report(cpu[0], processed, (cpuAt[1] - cpuAt[0]) / 1e3);
            double taskManagerJit = cpu[1] == null ? Double.NaN : cpu[1].compilerThreads(cpu[0], "taskmanager", processed);
            System.out.printf("cpu window: %d %d (epoch ms); %d images processed in it, %.1f images/s%n", cpuAt[0], cpuAt[1],
                    processed, processed / ((cpuAt[1] - cpuAt[0]) / 1e3));

            // Single images into the idle job, one at a time at a random phase to the checkpoints.
            List<Long> single = new ArrayList<>();
            List<long[]> singleRows = new ArrayList<>();
            Random random = new Random(42);
            for (int i = 0; i < SINGLE_IMAGES; i++) {
                Thread.sleep(random.nextInt(1000));
                send(producer, "single-" + i, frames.get(i % frames.size()));
                producer.flush();
                long[] row = collect(consumer, "single-" + i, 1, Duration.ofSeconds(60)).get(0);
                single.add(row[1]);
                singleRows.add(row);
            }
            single.sort(null);
            long singleMedian = single.get(single.size() / 2);
            System.out.printf("single images: %d, one at a time; latency median %d ms, p99 %d ms%n", single.size(), singleMedian,
                    single.get(Math.min(single.size() - 1, (int) (single.size() * 0.99))));

            // Half load.
            double rate = throughput / 2;
            int halfCount = (int) (rate * halfSeconds);
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread pacer = new Thread(() -> {
                long start = System.nanoTime();
                for (int i = 0; i < halfCount; i++) {
                    long due = start + (long) (i / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    send(producer, "half-" + i, frames.get(i % frames.size()));
                }
                producer.flush();
                sending.set(false);
            });
            pacer.start();
            List<long[]> half = collect(consumer, "half-", halfCount, Duration.ofSeconds(halfSeconds + 120L));
            pacer.join();
            System.out.printf("half load: %.1f images/s offered, %d results; latency %s%n", rate, half.size(), percentiles(half));
            // What of the latency is the detection itself (operator receipt to result), the rest being Kafka, Flink and waiting.
            System.out.printf("detection (results' timings.totalMicros): single images median %d ms, p99 %d ms; "
                    + "half load median %d ms, p99 %d ms%n", quantile(singleRows, 2, 0.5), quantile(singleRows, 2, 0.99),
                    quantile(half, 2, 0.5), quantile(half, 2, 0.99));
            List<Long> sorted = half.stream().map(r -> r[1]).sorted().toList();
            long p50 = sorted.get(sorted.size() / 2);
            long p99 = sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99)));
            System.out.printf("result: throughput %.1f images/s; half-load p99 / single-image median = %.2f; half-load p99/p50 = %.2f; "
                    + "taskmanager CPU %.2f ms/image, %.2f without its JIT compiler threads%n", throughput, (double) p99 / singleMedian,
                    (double) p99 / p50, taskManagerCpu, taskManagerCpu - taskManagerJit);
        }
    }

    /** SOURCES=N: events come from N cameras in turn, keyed by camera (the source a tracking job tracks by); else keyed by event id. */
    private static final int SOURCES = Integer.parseInt(System.getenv().getOrDefault("SOURCES", "0"));
    private static final java.util.concurrent.atomic.AtomicLong SENT = new java.util.concurrent.atomic.AtomicLong();

    private static void send(KafkaProducer<byte[], byte[]> producer, String id, byte[] frame) {
        ImageEvent event = ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now()).setContentType("image/jpeg")
                .setImageBytes(ByteBuffer.wrap(frame)).build();
        String key = SOURCES > 0 ? "camera-" + SENT.getAndIncrement() % SOURCES : id;
        producer.send(new ProducerRecord<>("images", key.getBytes(StandardCharsets.UTF_8), AvroCodec.encode(event)));
    }

    /** (visible at millis, latency millis, detection millis) per result of the given id prefix, in order of arrival. */
    private static List<long[]> collect(KafkaConsumer<byte[], byte[]> consumer, String prefix, int expected, Duration timeout) throws Exception {
        return collect(consumer, prefix, expected, timeout, seen -> {});
    }

    private static List<long[]> collect(KafkaConsumer<byte[], byte[]> consumer, String prefix, int expected, Duration timeout,
            IntConsumer onSeen) throws Exception {
        List<long[]> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                long now = System.currentTimeMillis();
                FaceDetectionResult result = AvroCodec.decode(record.value(), FaceDetectionResult.class);
                if (result.getEventId().startsWith(prefix)) {
                    // now, latency, the detection's own time, when the TaskManager finished it
                    seen.add(new long[] {now, now - result.getEventTime().toEpochMilli(), result.getTimings().getTotalMicros() / 1000,
                            result.getProcessedAt().toEpochMilli()});
                    onSeen.accept(seen.size());
                }
            }
        }
        return seen;
    }

    private static long quantile(List<long[]> rows, int column, double q) {
        List<Long> values = rows.stream().map(r -> r[column]).sorted().toList();
        return values.get(Math.min(values.size() - 1, (int) (values.size() * q)));
    }

    private static String percentiles(List<long[]> rows) {
        List<Long> latencies = rows.stream().map(r -> r[1]).sorted().toList();
        return String.format("p50 %d ms, p95 %d ms, p99 %d ms", latencies.get(latencies.size() / 2),
                latencies.get(Math.min(latencies.size() - 1, (int) (latencies.size() * 0.95))),
                latencies.get(Math.min(latencies.size() - 1, (int) (latencies.size() * 0.99))));
    }

    /**
     * The processes whose CPU time is accounted, from PIDS ("taskmanager=PID,broker=PID,...", as
     * performance.sh passes them), and this process as the consumer.
     */
    private static Map<String, Long> processes() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String entry : System.getenv().getOrDefault("PIDS", "").split(",")) {
            if (entry.contains("=")) {
                pids.put(entry.substring(0, entry.indexOf('=')), Long.parseLong(entry.substring(entry.indexOf('=') + 1).trim()));
            }
        }
        pids.put("consumer", ProcessHandle.current().pid());
        return pids;
    }

    /**
     * CPU time (user + system) of each process, and of each process's threads grouped by name
     * (/proc/PID/task/TID/stat, digits in the name folded, so that "GC Thread#0" and "#1" count as
     * one group). Linux only; the kernel truncates thread names to 15 characters.
     */
    record CpuSnapshot(Map<String, Long> processTicks, Map<String, Map<String, Long>> threadTicks) {
        /** /proc's unit: USER_HZ, 100 on every Linux architecture Java runs on. */
        private static final double TICK_MS = 10;

        static CpuSnapshot of(Map<String, Long> pids) {
            Map<String, Long> processTicks = new LinkedHashMap<>();
            Map<String, Map<String, Long>> threadTicks = new LinkedHashMap<>();
            for (var process : pids.entrySet()) {
                Path proc = Path.of("/proc", Long.toString(process.getValue()));
                long[] total = ticks(proc.resolve("stat"));
                if (total == null) {
                    continue;
                }
                processTicks.put(process.getKey(), total[0]);
                Map<String, Long> groups = new TreeMap<>();
                try (var tasks = Files.list(proc.resolve("task"))) {
                    for (Path task : tasks.toList()) {
                        String name = threadName(task.resolve("stat"));
                        long[] t = ticks(task.resolve("stat"));
                        if (name != null && t != null) {
                            groups.merge(name.replaceAll("[0-9]+", "N"), t[0], Long::sum);
                        }
                    }
                } catch (IOException e) {
                    // The process ended: its total is all there is.
                }
                threadTicks.put(process.getKey(), groups);
            }
            return new CpuSnapshot(processTicks, threadTicks);
        }

        /** utime + stime of a /proc stat file; null when it is gone. */
        private static long[] ticks(Path stat) {
            try {
                String line = Files.readString(stat);
                String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
                return new long[] {Long.parseLong(fields[11]) + Long.parseLong(fields[12])};
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private static String threadName(Path stat) {
            try {
                String line = Files.readString(stat);
                return line.substring(line.indexOf('(') + 1, line.lastIndexOf(')'));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** Prints CPU ms per image since {@code before}; returns the TaskManager's. */
        double report(CpuSnapshot before, int images, double seconds) {
            StringBuilder line = new StringBuilder();
            double all = 0;
            for (var process : processTicks.entrySet()) {
                Long start = before.processTicks.get(process.getKey());
                if (start == null) {
                    continue;
                }
                double perImage = (process.getValue() - start) * TICK_MS / images;
                all += perImage;
                line.append(String.format("%s %.2f (%.0f ms/s), ", process.getKey(), perImage, perImage * images / seconds));
            }
            System.out.printf("cpu at full load, ms per image from the 10 %% to the 90 %% result (%d images processed, %.1f s): %sall %.2f; "
                    + "the machine's %d cores offer %.2f ms per image at this throughput%n", images, seconds, line, all,
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors() * seconds * 1000 / images);
            for (var process : threadTicks.entrySet()) {
                Map<String, Long> startGroups = before.threadTicks.getOrDefault(process.getKey(), Map.of());
                Map<String, Double> groups = new LinkedHashMap<>();
                double grouped = 0;
                for (var group : process.getValue().entrySet()) {
                    double perImage = (group.getValue() - startGroups.getOrDefault(group.getKey(), 0L)) * TICK_MS / images;
                    grouped += perImage;
                    groups.put(group.getKey(), perImage);
                }
                double total = (processTicks.get(process.getKey()) - before.processTicks.getOrDefault(process.getKey(), 0L))
                        * TICK_MS / images;
                StringBuilder split = new StringBuilder();
                int shown = 0;
                double rest = 0;
                for (var group : groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList()) {
                    if (shown++ < 12 && group.getValue() >= 0.01) {
                        split.append(String.format("'%s' %.2f, ", group.getKey(), group.getValue()));
                    } else {
                        rest += group.getValue();
                    }
                }
                System.out.printf("  %s threads, ms per image: %sother threads %.2f, threads ended in the window %.2f%n",
                        process.getKey(), split, rest, Math.max(0, total - grouped));
            }
            Long tm = processTicks.get("taskmanager");
            return tm == null ? Double.NaN : (tm - before.processTicks.get("taskmanager")) * TICK_MS / images;
        }

        /** The CPU ms per image of a process's JIT compiler threads since {@code before}. */
        double compilerThreads(CpuSnapshot before, String process, int images) {
            long ticks = 0;
            for (var group : threadTicks.getOrDefault(process, Map.of()).entrySet()) {
                if (group.getKey().contains("CompilerThre")) {
                    ticks += group.getValue() - before.threadTicks.getOrDefault(process, Map.of()).getOrDefault(group.getKey(), 0L);
                }
            }
            return ticks * TICK_MS / images;
        }
    }
}
