package io.facestream.cli;

import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command all of whose flags are generated from options: what it was given is a {@link Configuration}. */
abstract class GeneratedCommand implements Callable<Integer>, Flags.Generated {

    @Spec
    CommandSpec spec;

    /** The options the command line (or a {@code --config} file) gives; those not given read as their defaults. */
    Configuration options() {
        return Flags.given(spec, flags());
    }
}
