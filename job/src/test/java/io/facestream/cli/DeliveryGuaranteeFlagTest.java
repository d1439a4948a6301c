package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryGuaranteeFlagTest {

    @TempDir
    Path tmp;

    @Test
    void anUnknownGuaranteeIsRefusedWithTheChoices() {
        for (String command : new String[] {"job", "local"}) {
            CliRun run = command.equals("job")
                    ? CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--delivery-guarantee", "at-most-once")
                    : CliRun.of("local", "--images", tmp.toString(), "--delivery-guarantee", "at-most-once");
            assertThat(run.code()).as(command).isEqualTo(2);
            assertThat(run.err()).as(command)
                    .contains("--delivery-guarantee at-most-once: choose one of exactly-once, at-least-once");
        }
    }

    @Test
    void aCheckpointIntervalBeyondTheTransactionTimeoutIsRefusedForExactlyOnceOnly() throws Exception {
        CliRun exactlyOnce = CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--checkpoint-interval", "1h");
        assertThat(exactlyOnce.code()).isEqualTo(2);
        assertThat(exactlyOnce.err()).contains("--checkpoint-interval PT1H: must be shorter than --transaction-timeout");

        // A corrupt model stops the job at the next check, so reaching it shows the interval passed.
        byte[] garbage = new byte[4096];
        new Random(5).nextBytes(garbage);
        Path model = Files.write(tmp.resolve("broken.onnx"), garbage);
        CliRun atLeastOnce = CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--checkpoint-interval", "1h",
                "--delivery-guarantee", "AT-least-once", "--model", model.toString());
        assertThat(atLeastOnce.code()).isEqualTo(2);
        assertThat(atLeastOnce.err()).doesNotContain("--checkpoint-interval").contains("--model " + model);
    }

    @Test
    void theHelpOfBothCommandsNamesTheFlagAndItsDefault() {
        for (String command : new String[] {"job", "local"}) {
            assertThat(CliRun.ok(command, "--help").replaceAll("\\s+", " ")).as(command)
                    .contains("--delivery-guarantee=exactly-once|at-least-once").contains("consumers drop the duplicates). Default: exactly-once.");
        }
    }
}
