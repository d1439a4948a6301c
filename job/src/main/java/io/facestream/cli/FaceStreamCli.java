package io.facestream.cli;

import io.facestream.config.OptionNames;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.job.KafkaSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** Entry point of the jar: the job itself and the tools around it. */
@Command(name = "facestream", mixinStandardHelpOptions = true, version = "FaceStream 0.1.0",
        description = "Real-time face detection on Apache Flink: Kafka image events in, Avro detections out.",
        subcommands = {JobCommand.class, LocalCommand.class, DetectCommand.class, TopicsCommand.class, EvaluateCommand.class,
                ProduceCommand.class, ConsumeCommand.class, RenderCommand.class, CommandLine.HelpCommand.class})
public final class FaceStreamCli {

    public static void main(String[] args) {
        int exitCode = commandLine().execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /** The command line main() runs, also for checks of argument lists written elsewhere (deploy/kubernetes). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new FaceStreamCli());
        for (CommandLine command : cli.getSubcommands().values()) {
            if (command.getCommand() instanceof Flags.Generated generated) {
                Flags.addTo(command.getCommandSpec(), generated.flags());
            }
        }
        // One duration grammar in the product: Flink's, which the SQL function and a cluster's configuration read too.
        cli.registerConverter(Duration.class, TimeUtils::parseDuration);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        ConfigFile.addTo(cli);
        cli.setParameterExceptionHandler(FaceStreamCli::reportBadArguments);
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                // Settings that failed validation: the message says what to change.
                command.getErr().println("facestream " + command.getCommandName() + ": " + e.getMessage());
                command.getErr().println("Run 'java -jar facestream.jar " + command.getCommandName() + " --help' for the flags.");
                return 2;
            }
            throw e;
        });
        return cli;
    }

    /**
     * Builds the Kafka and detection settings of parsed {@code job} arguments, which validates them
     * (for checks of argument lists written elsewhere).
     *
     * @throws IllegalArgumentException naming what is invalid
     */
    public static void checkJobSettings(CommandSpec job) {
        Configuration options = Flags.given(job, JobCommand.FLAGS);
        KafkaSettings.from(options, OptionNames.FLAGS);
        FaceDetectionSettings.from(options, OptionNames.FLAGS);
    }

    /** A flag or value the command does not take: say so, suggest the nearest flag or command, and exit 2. */
    private static int reportBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        CommandLine.ParameterException reported = e;
        if (!(e instanceof CommandLine.UnmatchedArgumentException)) {
            // Picocli checks required options before it reports unknown ones; a mistyped required
            // flag is better reported as what it is, with the flag it was meant to be.
            List<String> unknown = Arrays.stream(args).takeWhile(arg -> !arg.equals("--"))
                    .filter(arg -> arg.startsWith("-") && command.getCommandSpec().findOption(arg.split("=", 2)[0]) == null
                            && !command.getSubcommands().containsKey(arg))
                    .toList();
            if (!unknown.isEmpty()) {
                reported = new CommandLine.UnmatchedArgumentException(command, unknown);
            }
        }
        PrintWriter err = command.getErr();
        Optional<String> removed = reported instanceof CommandLine.UnmatchedArgumentException unmatchedArgs
                ? RemovedFlags.explain(unmatchedArgs.getUnmatched()) : Optional.empty();
        err.println(command.getCommandSpec().qualifiedName() + ": " + removed.orElse(reported.getMessage()));
        if (removed.isEmpty() && reported instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getSuggestions().isEmpty()) {
            List<String> suggestions = unmatched.getSuggestions();
            err.println("Did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?");
        }
        err.println("Run 'java -jar facestream.jar " + (command.getParent() == null ? "" : command.getCommandName() + " ")
                + "--help' for the flags.");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** Tools run in a terminal: keep Kafka's and Flink's logs to warnings unless configured otherwise. */
    static void quietLogging() {
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "classpath:facestream-tools-log4j2.properties");
        }
    }
}
