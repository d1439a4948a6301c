package io.facestream.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.facestream.kafka.KafkaAccessProblem;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The committed records of one topic, or a few ({@code isolation.level=read_committed}: records of
 * aborted or still open transactions are never seen), every partition, from the start or from the
 * end (or a group's committed offsets), up to the end as of the start or, when following, until
 * stopped.
 */
final class CommittedRecords implements AutoCloseable {

    /** What happens to each record; may throw to stop reading. */
    @FunctionalInterface
    interface Handler {
        void accept(ConsumerRecord<byte[], byte[]> record) throws Exception;
    }

    /** Asked after every poll whether to stop reading now; may throw to stop with an error. */
    @FunctionalInterface
    interface Stop {
        boolean now() throws Exception;
    }

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int ANSWER_TIMEOUT_MS = 15000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String bootstrapServers;
    private final boolean committing;
    private final List<TopicPartition> partitions = new ArrayList<>();

    CommittedRecords(String bootstrapServers, String topic, String groupId, boolean fromEarliest, Map<String, String> properties) {
        this(bootstrapServers, List.of(topic), groupId, fromEarliest, properties);
    }

    CommittedRecords(String bootstrapServers, List<String> topics, String groupId, boolean fromEarliest,
                     Map<String, String> properties) {
        this.bootstrapServers = bootstrapServers;
        this.committing = groupId != null;
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ANSWER_TIMEOUT_MS);
        config.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, ANSWER_TIMEOUT_MS);
        if (groupId != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            for (String topic : topics) {
                List<PartitionInfo> infos;
                try {
                    infos = consumer.partitionsFor(topic);
                } catch (KafkaException e) {
                    new KafkaAccessProblem(bootstrapServers, null, config).throwIfAuthentication(e);
                    throw new IllegalArgumentException("Kafka at " + bootstrapServers + " did not answer (" + e
                            + "). Check --bootstrap-servers and that the brokers are running.");
                }
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalArgumentException("topic " + topic + " does not exist at " + bootstrapServers
                            + ". Check the topic flag, or create the job's topics with the topics command.");
                }
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            consumer.assign(partitions);
            if (fromEarliest) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            if (committing) {
                consumer.committed(new java.util.HashSet<>(partitions)).forEach((partition, committed) -> {
                    if (committed != null) {
                        consumer.seek(partition, committed.offset());
                    }
                });
            }
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /**
     * Hands every record to {@code handler} until the end as of now ({@code follow} false), or until
     * {@code max} records (0: no limit), or, when following, until the JVM is asked to stop (Ctrl-C).
     * With a group, commits what was handled. Returns the count handled.
     */
    long forEach(Handler handler, boolean follow, long max) throws Exception {
        return forEach(handler, follow, max, () -> false);
    }

    /** As {@link #forEach(Handler, boolean, long)}, stopping also where {@code stop} says so after a poll. */
    long forEach(Handler handler, boolean follow, long max, Stop stop) throws Exception {
        Map<TopicPartition, Long> end = follow ? Map.of() : consumer.endOffsets(partitions);
        Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            consumer.wakeup();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "facestream-consume-stop");
        if (follow) {
            Runtime.getRuntime().addShutdownHook(stopper);
        }
        long count = 0;
        try {
            while ((follow || !reached(end)) && !stop.now()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    handler.accept(record);
                    count++;
                    handled.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                    if (max > 0 && count >= max) {
                        return count;
                    }
                }
                commit(handled);
            }
            return count;
        } catch (WakeupException e) {
            return count;
        } finally {
            commit(handled);
            finished.countDown();
            if (follow) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException e) {
                    // Already shutting down: the hook is running.
                }
            }
        }
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < end.getOrDefault(partition, 0L)) {
                return false;
            }
        }
        return true;
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> handled) {
        if (committing && !handled.isEmpty()) {
            consumer.commitSync(handled);
            handled.clear();
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
