package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the jar's command line in this JVM, with what it printed. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        CommandLine cli = FaceStreamCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Runs and insists on exit code 0; returns standard output. */
    static String ok(String... args) {
        CliRun run = of(args);
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        return run.out();
    }
}
