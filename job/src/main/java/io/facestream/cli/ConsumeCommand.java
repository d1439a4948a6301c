package io.facestream.cli;

import io.facestream.job.KafkaOptions;
import io.facestream.output.OutputRecords;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;

/** The job's committed results (or dead letters) as JSON lines on standard output. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Print the job's results as JSON lines, one per image, as committed (read_committed: nothing from "
                + "aborted or open transactions): everything up to now, then stop; with --follow, new results as they come.",
            "Each line is the FaceDetectionResult record (schemas/README.md) in Avro's JSON encoding, the layout of the "
                + "detections.jsonl of local and detect. --dead-letters prints the dead letters instead, without their payload. Progress and the final count go to standard error."})
final class ConsumeCommand extends GeneratedCommand {

    static final List<Flags.Flag> FLAGS = FlagSets.concat(
            List.of(FlagSets.BOOTSTRAP_SERVERS, FlagSets.KAFKA_CONFIG, FlagSets.OUTPUT_TOPIC, FlagSets.DEAD_LETTER_TOPIC, Flags.toggle(ToolOptions.DEAD_LETTERS)),
            ResultTopicOptions.FLAGS);

    ConsumeCommand() {
        super(FLAGS, Logging.QUIET);
    }

    @Override
    int run(Configuration options, PrintWriter out, PrintWriter err) throws Exception {
        boolean deadLetters = options.get(ToolOptions.DEAD_LETTERS);
        String topic = options.get(deadLetters ? KafkaOptions.DEAD_LETTER_TOPIC : KafkaOptions.OUTPUT_TOPIC);
        String what = deadLetters ? "dead letter(s)" : "result(s)";
        OutputRecords records = new OutputRecords();
        long count;
        long undecodable;
        double seconds;
        try (CommittedRecords reader = ResultTopicOptions.open(options, options.get(KafkaOptions.BOOTSTRAP_SERVERS), topic);
             Progress progress = Progress.start("consume " + topic, -1, "records", err)) {
            long[] bad = new long[1];
            count = reader.forEach(record -> {
                String line;
                try {
                    line = deadLetters ? OutputRecords.json(records.deadLetter(record.value()))
                            : OutputRecords.json(records.result(record.value()));
                } catch (IOException | RuntimeException e) {
                    bad[0]++;
                    err.printf("%s-%d@%d: not a %s record (%s)%n", record.topic(), record.partition(), record.offset(),
                            deadLetters ? "DeadLetter" : "FaceDetectionResult", e.getMessage());
                    return;
                }
                out.println(line);
                progress.step();
            }, options.get(ToolOptions.FOLLOW), options.get(ToolOptions.MAX_MESSAGES));
            out.flush();
            undecodable = bad[0];
            seconds = progress.seconds();
        }
        err.printf("Read %d %s from %s in %s%s.%n", count - undecodable, what, topic, Progress.rate(count, seconds),
                undecodable == 0 ? "" : "; " + undecodable + " record(s) could not be decoded");
        err.flush();
        return undecodable == 0 ? 0 : 1;
    }
}
