package io.facestream.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command all of whose flags are generated from options: what it was given is a {@link Configuration}. */
abstract class GeneratedCommand implements Callable<Integer>, Flags.Generated {

    private final List<Flags.Flag> flags;

    @Spec
    CommandSpec spec;

    private final Logging logging;

    /** Whether the command keeps Kafka's and Flink's logs to warnings: the tools run in a terminal, the job on a cluster. */
    enum Logging { QUIET, AS_CONFIGURED }

    GeneratedCommand(List<Flags.Flag> flags, Logging logging) {
        this.flags = flags;
        this.logging = logging;
    }

    @Override
    public final Integer call() throws Exception {
        if (logging == Logging.QUIET) {
            FaceStreamCli.quietLogging();
        }
        return run(options(), spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Runs the command with the options given; returns its exit code. */
    abstract int run(Configuration options, PrintWriter out, PrintWriter err) throws Exception;

    @Override
    public final List<Flags.Flag> flags() {
        return flags;
    }

    /** The options the command line (or a {@code --config} file) gives; those not given read as their defaults. */
    Configuration options() {
        return Flags.given(spec, flags());
    }
}
