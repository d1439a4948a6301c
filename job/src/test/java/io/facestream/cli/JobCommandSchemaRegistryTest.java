package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobCommandSchemaRegistryTest {

    @Test
    void theFlagReachesTheSettingsAndABadUrlStopsTheJobWithExitCode2() {
        CliRun run = CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--schema-registry", "registry:8081");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--schema-registry registry:8081: must be the http:// or https:// URL")
                .contains("/apis/ccompat/v6");
    }

    @Test
    void theHelpNamesTheFlag() {
        assertThat(CliRun.ok("job", "--help")).contains("--schema-registry=URL").contains("Confluent wire format");
    }
}
