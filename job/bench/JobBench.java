import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
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
            // Full load.
            List<long[]> full = collect(consumer, "full-", count, Duration.ofMinutes(20));
            // Throughput over the middle 80 % of completions, clear of start-up and the final checkpoint.
            long t10 = full.get(full.size() / 10)[0];
            long t90 = full.get(full.size() * 9 / 10)[0];
            double throughput = (full.size() * 0.8) / ((t90 - t10) / 1e3);
            System.out.printf("full load: %d results; throughput %.1f images/s; latency (including the wait in the backlog) %s%n",
                    full.size(), throughput, percentiles(full));

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
            System.out.printf("result: throughput %.1f images/s; half-load p99 / single-image median = %.2f; half-load p99/p50 = %.2f%n",
                    throughput, (double) p99 / singleMedian, (double) p99 / p50);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String id, byte[] frame) {
        ImageEvent event = ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now()).setContentType("image/jpeg")
                .setImageBytes(ByteBuffer.wrap(frame)).build();
        producer.send(new ProducerRecord<>("images", id.getBytes(StandardCharsets.UTF_8), AvroCodec.encode(event)));
    }

    /** (visible at millis, latency millis, detection millis) per result of the given id prefix, in order of arrival. */
    private static List<long[]> collect(KafkaConsumer<byte[], byte[]> consumer, String prefix, int expected, Duration timeout) throws Exception {
        List<long[]> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                long now = System.currentTimeMillis();
                FaceDetectionResult result = AvroCodec.decode(record.value(), FaceDetectionResult.class);
                if (result.getEventId().startsWith(prefix)) {
                    seen.add(new long[] {now, now - result.getEventTime().toEpochMilli(), result.getTimings().getTotalMicros() / 1000});
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
}
