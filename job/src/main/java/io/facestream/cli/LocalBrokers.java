package io.facestream.cli;

import io.facestream.kafka.EmbeddedKafkaBroker;
import io.facestream.kafka.KafkaClientConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The brokers {@code local} runs on: a plaintext broker of its own in this JVM, or an existing
 * cluster ({@code --bootstrap-servers}, with {@code --kafka-config} for its security settings), where
 * the run makes topics of its own and deletes them when it ends.
 */
abstract class LocalBrokers implements AutoCloseable {

    abstract String bootstrapServers();

    /** Creates the run's topics, each taking records of up to {@code maxMessageBytes}. */
    abstract void createTopics(int partitions, String... topics);

    @Override
    public abstract void close();

    static LocalBrokers inProcess(int maxMessageBytes) throws IOException {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of("message.max.bytes", Integer.toString(maxMessageBytes)));
        return new LocalBrokers() {
            @Override
            String bootstrapServers() {
                return broker.bootstrapServers();
            }

            @Override
            void createTopics(int partitions, String... topics) {
                broker.createTopics(partitions, topics);
            }

            @Override
            public void close() {
                broker.close();
            }
        };
    }

    static LocalBrokers existing(String bootstrapServers, String kafkaConfig, String run, int maxMessageBytes, PrintWriter console) {
        Map<String, Object> config = KafkaClientConfig.of(bootstrapServers, kafkaConfig, Map.of());
        List<String> created = new ArrayList<>();
        return new LocalBrokers() {
            @Override
            String bootstrapServers() {
                return bootstrapServers;
            }

            @Override
            void createTopics(int partitions, String... topics) {
                List<NewTopic> newTopics = new ArrayList<>();
                for (String topic : topics) {
                    newTopics.add(new NewTopic(topic, Optional.of(partitions), Optional.empty())
                            .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes))));
                }
                try (Admin admin = Admin.create(config)) {
                    admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
                    created.addAll(List.of(topics));
                } catch (ExecutionException e) {
                    throw new IllegalArgumentException("local could not create its topics " + String.join(", ", topics) + " at "
                            + bootstrapServers + ": " + e.getCause().getMessage() + ". It needs the rights to create and delete "
                            + "topics named " + run + ".*, or run it without --bootstrap-servers on a broker of its own.", e.getCause());
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalArgumentException("local could not create its topics at " + bootstrapServers
                            + " within 30 s: are the brokers reachable from here, with the settings of --kafka-config?", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void close() {
                if (created.isEmpty()) {
                    return;
                }
                try (Admin admin = Admin.create(config)) {
                    admin.deleteTopics(created).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    console.printf("Could not delete this run's topics %s (%s): delete them by hand.%n", String.join(", ", created),
                            e.getCause() == null ? e : e.getCause().getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
