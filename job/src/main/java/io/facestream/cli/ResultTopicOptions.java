package io.facestream.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Flags of the commands that read the job's output topics: where to start, when to stop (the brokers and topics are {@link FlagSets}'). */
public class ResultTopicOptions {

    @Option(names = "--from", paramLabel = "earliest|latest", defaultValue = "earliest",
            description = "Start at the topic's beginning, or at its end (only what comes next; with --follow). "
                    + "With --group-id, where the group left off. Default: ${DEFAULT-VALUE}.")
    From from;

    @Option(names = "--follow", description = "Keep reading new results until stopped (Ctrl-C), instead of stopping at the end "
            + "as of the start. Default: off.")
    boolean follow;

    @Option(names = "--max-messages", paramLabel = "N", defaultValue = "0",
            description = "Stop after N records; 0 = no limit. Default: ${DEFAULT-VALUE}.")
    long maxMessages;

    @Option(names = "--group-id", paramLabel = "GROUP",
            description = "Consumer group whose committed offsets to resume from and commit to. Default: none "
                    + "(reads without a group and commits nothing).")
    String groupId;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka consumer property (repeatable); isolation.level stays read_committed. Default: none.")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    enum From { EARLIEST, LATEST }

    CommittedRecords open(String bootstrapServers, String topic) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is missing: give the Kafka brokers to read from");
        }
        if (maxMessages < 0) {
            throw new IllegalArgumentException("--max-messages " + maxMessages + ": must be 0 (no limit) or positive");
        }
        return new CommittedRecords(bootstrapServers, topic, groupId, from == From.EARLIEST, consumerProperties);
    }
}
