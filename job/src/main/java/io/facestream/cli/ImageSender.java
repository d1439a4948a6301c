package io.facestream.cli;

import io.facestream.job.InputFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import io.facestream.kafka.KafkaAccessProblem;
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

    /** One image to send: its name for failure messages, and its record, made (its file read) as it is sent. */
    record Outgoing(String name, RecordMaker maker) {

        /** An image file on its own: keyed by its event id, stamped with the moment it is sent. */
        static Outgoing alone(ImageFiles.ImageFile file) {
            return new Outgoing(file.name(), records -> records.file(file, null));
        }
    }

    /** Makes an image's record with the sender's {@link ImageRecords}. */
    @FunctionalInterface
    interface RecordMaker {
        ProducerRecord<byte[], byte[]> make(ImageRecords records) throws IOException;
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;

    /** Fails at once, saying what to check, where the brokers do not answer or have no such topic. */
    ImageSender(String bootstrapServers, String topic, Map<String, ?> properties) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ANSWER_TIMEOUT_MS);
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        try {
            this.partitions = producer.partitionsFor(topic).size();
        } catch (KafkaException e) {
            producer.close();
            new KafkaAccessProblem(bootstrapServers, null, config).throwIfAuthentication(e);
            throw new IllegalArgumentException("Kafka at " + bootstrapServers + " did not answer, or has no topic " + topic
                    + " (" + e.getMessage() + "). Check --bootstrap-servers and --input-topic; the topics command creates the job's topics.");
        }
    }

    /**
     * Sends the images in the order given and waits until each is acknowledged or has failed;
     * {@code done} runs once per image. The images are made one by one as they are sent.
     */
    Outcome send(Iterator<Outgoing> images, InputFormat format, boolean reference, Runnable done) {
        ImageRecords records = new ImageRecords(topic, partitions, format, reference);
        AtomicLong sent = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        while (images.hasNext()) {
            Outgoing image = images.next();
            ProducerRecord<byte[], byte[]> record;
            try {
                record = image.maker().make(records);
            } catch (IOException e) {
                failures.add(image.name() + ": could not read the file (" + e.getMessage() + ")");
                done.run();
                continue;
            }
            int size = record.value().length;
            producer.send(record, (metadata, e) -> {
                if (e == null) {
                    sent.incrementAndGet();
                    bytes.addAndGet(size);
                } else {
                    failures.add(image.name() + ": " + why(e));
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
