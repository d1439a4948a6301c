package io.facestream.cli;

import io.facestream.job.InputFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Image files sent to the job's input topic as image records ({@link ImageRecords}), for
 * {@code produce} and {@code local}: without waiting for each acknowledgement (one at a time, the
 * sending alone took longer than detecting); the producer's buffer bounds the images held in memory.
 */
final class ImageSender implements AutoCloseable {

    /** What was sent, and why the rest was not (each file's name and reason). */
    record Outcome(long sent, long bytes, List<String> failures) {}

    private static final int ANSWER_TIMEOUT_MS = 15000;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    /** Fails at once, saying what to check, where the brokers do not answer or have no such topic. */
    ImageSender(String bootstrapServers, String topic, Map<String, ?> properties) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ANSWER_TIMEOUT_MS);
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        try {
            producer.partitionsFor(topic);
        } catch (KafkaException e) {
            producer.close();
            throw new IllegalArgumentException("Kafka at " + bootstrapServers + " did not answer, or has no topic " + topic
                    + " (" + e.getMessage() + "). Check --bootstrap-servers and --input-topic; the topics command creates the job's topics.");
        }
    }

    /** Sends every file and waits until each is acknowledged or has failed; {@code done} runs once per file. */
    Outcome send(List<ImageFiles.ImageFile> files, InputFormat format, boolean reference, Runnable done) {
        AtomicLong sent = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        for (ImageFiles.ImageFile file : files) {
            ProducerRecord<byte[], byte[]> record;
            try {
                record = ImageRecords.of(topic, file, format, reference);
            } catch (IOException e) {
                failures.add(file.name() + ": could not read the file (" + e.getMessage() + ")");
                done.run();
                continue;
            }
            int size = record.value().length;
            producer.send(record, (metadata, e) -> {
                if (e == null) {
                    sent.incrementAndGet();
                    bytes.addAndGet(size);
                } else {
                    failures.add(file.name() + ": " + why(e));
                }
                done.run();
            });
        }
        producer.flush();
        return new Outcome(sent.get(), bytes.get(), new ArrayList<>(failures));
    }

    private static String why(Exception e) {
        if (e instanceof RecordTooLargeException) {
            return "larger than Kafka's message limit (" + e.getMessage() + "). Send it with --reference, or raise the producer's "
                    + "max.request.size (--producer-property) and the topic's max.message.bytes together";
        }
        return e.toString();
    }

    @Override
    public void close() {
        producer.close();
    }
}
