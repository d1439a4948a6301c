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
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Memory soak of a running FaceStream job on the local stack: puts COUNT image events on the
 * input topic at once (a backlog far beyond the job's throughput), then samples every
 * TaskManager's resident set size (VmRSS, native memory included) while the job works through
 * it, and reports the growth from the end of warm-up (10 % of the events done) to the end.
 *
 * java -cp job/target/facestream.jar job/bench/MemorySoak.java BOOTSTRAP STACK_DIR COUNT IMAGE_DIR
 */
public class MemorySoak {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path stackDir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        List<byte[]> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(args[3]))) {
            for (Path file : files.filter(f -> f.toString().matches(".*\\.(png|jpe?g)")).sorted().toList()) {
                images.add(Files.readAllBytes(file));
            }
        }
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String id = "soak-" + i;
                ImageEvent event = ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now())
                        .setImageBytes(ByteBuffer.wrap(images.get(i % images.size()))).build();
                producer.send(new ProducerRecord<>("images", id.getBytes(StandardCharsets.UTF_8), AvroCodec.encode(event)));
            }
        }
        System.out.printf("method: %d events from %d test photos put on the input topic in %.1f s (the backlog), then "
                + "TaskManager VmRSS sampled every 10 s while the job drains it%n", count, images.size(), seconds(started));
        System.out.println("seconds  done     images/s  " + String.join("  ", pids(stackDir).keySet()) + "  (RSS MB)");
        List<long[]> samples = new ArrayList<>();
        int done = 0;
        long lastSample = 0;
        int lastDone = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "soak-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("detections", "dead-letters"));
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (done < count && System.nanoTime() < deadline) {
                done += consumer.poll(Duration.ofMillis(500)).count();
                if (System.nanoTime() - lastSample > 10e9 || done >= count) {
                    long rss = 0;
                    StringBuilder line = new StringBuilder(String.format("%7.0f  %6d  %8.1f ", seconds(started), done,
                            (done - lastDone) / Math.max(1e-9, (System.nanoTime() - lastSample) / 1e9)));
                    for (long pid : pids(stackDir).values()) {
                        long mb = rssMegabytes(pid);
                        rss += mb;
                        line.append(String.format("  %12d", mb));
                    }
                    System.out.println(line);
                    samples.add(new long[] {done, rss});
                    lastSample = System.nanoTime();
                    lastDone = done;
                }
            }
        }
        long[] warm = samples.stream().filter(s -> s[0] >= count / 10).findFirst().orElse(samples.get(0));
        long[] last = samples.get(samples.size() - 1);
        long peak = samples.stream().filter(s -> s[0] >= count / 10).mapToLong(s -> s[1]).max().orElse(last[1]);
        System.out.printf("result: %d of %d events done in %.0f s; TaskManager RSS (sum) after warm-up (%d done) %d MB, "
                + "at the end %d MB, peak %d MB: growth %.1f %% (end vs warm-up)%n", done, count, seconds(started), warm[0],
                warm[1], last[1], peak, 100.0 * (last[1] - warm[1]) / warm[1]);
    }

    private static Map<String, Long> pids(Path stackDir) throws Exception {
        Map<String, Long> pids = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(stackDir.resolve("pids"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("taskmanager-")).toList()) {
                pids.put(file.getFileName().toString(), Long.parseLong(Files.readString(file).trim()));
            }
        }
        return pids;
    }

    private static long rssMegabytes(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
