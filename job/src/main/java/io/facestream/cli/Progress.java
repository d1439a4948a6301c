package io.facestream.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long run, on standard error so that standard output stays the command's data: a
 * live bar with count, rate and remaining time in a terminal; in logs and pipes, where a redrawn
 * bar would be noise, the same line every few seconds.
 */
final class Progress implements AutoCloseable {

    private static final int LOG_INTERVAL_MILLIS = 5000;
    private static final int LOG_LINE_LENGTH = 110;

    private final ProgressBar bar;
    private final long startedNanos = System.nanoTime();

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** @param total the count expected, or -1 when unknown */
    static Progress start(String task, long total, String unit, PrintWriter err) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .continuousUpdate();
        if (System.console() == null) {
            builder.setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(LOG_INTERVAL_MILLIS)
                    .setConsumer(new DelegatingProgressBarConsumer(new LineLog(err), LOG_LINE_LENGTH));
        }
        return new Progress(builder.build());
    }

    /** Prints each new state once: the bar also redraws on close, unchanged. */
    private static final class LineLog implements java.util.function.Consumer<String> {
        private final PrintWriter err;
        private String last;

        LineLog(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void accept(String line) {
            if (!line.equals(last)) {
                err.println(line);
                err.flush();
                last = line;
            }
        }
    }

    void step() {
        bar.step();
    }

    void stepBy(long n) {
        bar.stepBy(n);
    }

    void message(String extra) {
        bar.setExtraMessage(extra);
    }

    double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** "3.4 s (3.5/s)": the duration and rate a run's last line reports. */
    static String rate(long count, double seconds) {
        return String.format(Locale.ROOT, "%.1f s (%.1f/s)", seconds, seconds > 0 ? count / seconds : 0.0);
    }

    @Override
    public void close() {
        bar.close();
    }
}
