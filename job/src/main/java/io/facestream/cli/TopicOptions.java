package io.facestream.cli;

import io.facestream.job.KafkaSettings;
import java.util.List;
import picocli.CommandLine.Option;

/** The brokers and the job's three topics, for every command that talks to them. */
public class TopicOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", required = true, description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = KafkaSettings.DEFAULT_INPUT_TOPIC,
            description = "Image events. Default: ${DEFAULT-VALUE}.")
    String inputTopic;

    @Option(names = "--output-topic", paramLabel = "TOPIC", defaultValue = KafkaSettings.DEFAULT_OUTPUT_TOPIC,
            description = "Detection results (Avro). Default: ${DEFAULT-VALUE}.")
    String outputTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC", defaultValue = KafkaSettings.DEFAULT_DEAD_LETTER_TOPIC,
            description = "Dead letters (Avro). Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    List<String> topics() {
        return List.of(inputTopic, outputTopic, deadLetterTopic);
    }
}
