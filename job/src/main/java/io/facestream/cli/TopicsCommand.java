package io.facestream.cli;

import io.facestream.job.KafkaOptions;
import io.facestream.kafka.KafkaAccessProblem;
import io.facestream.kafka.KafkaClientConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;

/** Creates the job's topics where they are missing. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the job's input, output and dead-letter topics, and the tracks, crops and anonymized topics "
                + "given, if they do not exist.")
final class TopicsCommand extends GeneratedCommand {

    /** The optional output topics: created when named. */
    private static final List<ConfigOption<String>> OPTIONAL_TOPICS = List.of(KafkaOptions.TRACKS_TOPIC,
            KafkaOptions.CROPS_TOPIC, KafkaOptions.ANONYMIZED_TOPIC);

    static final List<Flags.Flag> FLAGS = FlagSets.concat(FlagSets.TOPICS, List.of(
            Flags.value(KafkaOptions.TRACKS_TOPIC, "TOPIC"),
            Flags.value(KafkaOptions.CROPS_TOPIC, "TOPIC"),
            Flags.value(KafkaOptions.ANONYMIZED_TOPIC, "TOPIC"),
            Flags.value(ToolOptions.PARTITIONS, "N"),
            Flags.value(ToolOptions.REPLICATION_FACTOR, "N")));

    TopicsCommand() {
        super(FLAGS, Logging.AS_CONFIGURED);
    }

    @Override
    int run(Configuration options, PrintWriter out, PrintWriter err) throws Exception {
        int partitions = options.get(ToolOptions.PARTITIONS);
        int replicationFactor = options.get(ToolOptions.REPLICATION_FACTOR);
        if (partitions < 1 || replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("--partitions and --replication-factor must be at least 1 (--replication-factor at most " + Short.MAX_VALUE + ")");
        }
        String bootstrapServers = options.get(KafkaOptions.BOOTSTRAP_SERVERS);
        List<String> topics = new ArrayList<>(List.of(options.get(KafkaOptions.INPUT_TOPIC),
                options.get(KafkaOptions.OUTPUT_TOPIC), options.get(KafkaOptions.DEAD_LETTER_TOPIC)));
        OPTIONAL_TOPICS.forEach(option -> options.getOptional(option).ifPresent(topics::add));
        Map<String, Object> config = KafkaClientConfig.of(bootstrapServers, options.get(KafkaOptions.KAFKA_CONFIG), Map.of());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000);
        try (Admin admin = Admin.create(config)) {
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get();
            } catch (ExecutionException e) {
                new KafkaAccessProblem(bootstrapServers, options.get(KafkaOptions.KAFKA_CONFIG), config).throwIfAuthentication(e);
                throw new IllegalArgumentException("Kafka at " + bootstrapServers + " did not answer (" + e.getCause()
                        + "). Check --bootstrap-servers and that the brokers are running.");
            }
            for (String topic : topics) {
                if (existing.contains(topic)) {
                    out.printf("%s exists%n", topic);
                } else {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicationFactor))).all().get();
                    out.printf("%s created (%d partitions)%n", topic, partitions);
                }
            }
        }
        return 0;
    }
}
