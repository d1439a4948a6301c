package io.facestream.detect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory and its peak, from /proc/self/status (Linux). */
final class ResidentMemory {

    private ResidentMemory() {}

    /** Sets the peak (VmHWM) back to the current resident size, through /proc/self/clear_refs. */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long residentKb() {
        return kilobytes("VmRSS");
    }

    static long peakKb() {
        return kilobytes("VmHWM");
    }

    private static long kilobytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }
}
