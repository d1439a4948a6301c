package io.facestream.cli;

import io.facestream.job.KafkaOptions;
import io.facestream.kafka.KafkaClientConfig;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ReadableConfig;

/** Flags of the commands that read the job's output topics: where to start, when to stop (the brokers and topics are {@link FlagSets}'). */
final class ResultTopicOptions {

    private ResultTopicOptions() {}

    enum From { EARLIEST, LATEST }

    static final List<Flags.Flag> FLAGS = List.of(
            Flags.choice(ToolOptions.FROM, From.class),
            Flags.toggle(ToolOptions.FOLLOW),
            Flags.value(ToolOptions.MAX_MESSAGES, "N"),
            Flags.value(ToolOptions.READER_GROUP_ID, "GROUP"),
            Flags.map(ToolOptions.READER_CONSUMER_PROPERTIES));

    /** A reader of {@code topic} as {@code options} say, committed records only. */
    static CommittedRecords open(ReadableConfig options, String bootstrapServers, String topic) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is missing: give the Kafka brokers to read from");
        }
        long maxMessages = options.get(ToolOptions.MAX_MESSAGES);
        if (maxMessages < 0) {
            throw new IllegalArgumentException("--max-messages " + maxMessages + ": must be 0 (no limit) or positive");
        }
        return new CommittedRecords(bootstrapServers, topic, options.get(ToolOptions.READER_GROUP_ID),
                options.get(ToolOptions.FROM) == From.EARLIEST,
                KafkaClientConfig.merged(options.get(KafkaOptions.KAFKA_CONFIG),
                        options.getOptional(ToolOptions.READER_CONSUMER_PROPERTIES).orElse(Map.of())));
    }
}
