package io.facestream.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a new JVM and returns what it printed (native
 * libraries' warnings included, which then stay out of the build's output). glibc is told to
 * give every buffer over 128 KB back to the system when it is freed: by default it keeps freed
 * buffers resident and hands them out again, so a later allocation would not raise the peak
 * resident memory, and a measurement of that peak could not see it. The Java heap is touched
 * whole at start and only the quick JIT compiler runs (the optimising one takes megabytes while
 * it works), so that the JVM's own growth does not blur the peak either.
 */
final class FreshJvm {

    private FreshJvm() {}

    static String run(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dfacestream.testdata=" + GoldenDetections.testdata(), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError(main.getSimpleName() + " failed:\n" + output);
        }
        return output;
    }

    /** The tab-separated fields of each printed line that starts with {@code tag}, without the tag. */
    static List<String[]> rows(String output, String tag) {
        List<String[]> rows = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] fields = line.split("\t", -1);
            if (fields[0].equals(tag)) {
                rows.add(java.util.Arrays.copyOfRange(fields, 1, fields.length));
            }
        }
        return rows;
    }
}
