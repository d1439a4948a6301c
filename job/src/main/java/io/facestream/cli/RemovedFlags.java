package io.facestream.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flags FaceStream no longer has. A command line or config file that still gives one fails, as
 * for any unknown flag, but is told that the flag was removed and why: "unknown flag" would make
 * its author look for a typo.
 */
final class RemovedFlags {

    private static final Map<String, String> WHY = Map.of(
            "--max-batch", "micro-batching was removed: it did not pay on a CPU (BENCHMARKS.md), and every image now "
                    + "runs through the model alone. Drop the flag.");

    private RemovedFlags() {}

    /**
     * Why the first removed flag among {@code args} was removed. An argument is a flag as given on the
     * command line ({@code --flag}, {@code --flag=value}; other arguments are passed over) or a key of
     * a config file ({@code flag}).
     */
    static Optional<String> explain(List<String> args) {
        for (String arg : args) {
            String flag = "--" + arg.split("=", 2)[0].replaceFirst("^-+", "");
            String why = WHY.get(flag);
            if (why != null) {
                return Optional.of(flag + " was removed: " + why);
            }
        }
        return Optional.empty();
    }
}
