package io.facestream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretReferenceTest {

    @TempDir
    Path folder;

    @Test
    void aFileGivesItsTextLessOneTrailingLineBreak() throws Exception {
        Path unix = Files.writeString(folder.resolve("unix"), "user:p@ss word\n");
        Path windows = Files.writeString(folder.resolve("windows"), "user:p@ss word\r\n");
        Path bare = Files.writeString(folder.resolve("bare"), "user:p@ss word");
        for (Path file : new Path[] {unix, windows, bare}) {
            assertThat(SecretReference.parse("file:" + file).read()).isEqualTo("user:p@ss word");
        }
    }

    @Test
    void anEnvironmentVariableGivesItsValue() {
        // HOME is set in every shell and CI; its value is read here apart from the code under test.
        assertThat(SecretReference.parse("env:HOME").read()).isEqualTo(System.getenv("HOME"));
    }

    @Test
    void aReferenceIsShownAsGivenAndAnythingElseIsRefusedWithoutRepeatingIt() {
        assertThat(SecretReference.parse("file:/run/secrets/registry")).hasToString("file:/run/secrets/registry");
        assertThat(SecretReference.parse("env:REGISTRY_TOKEN")).hasToString("env:REGISTRY_TOKEN");
        assertThatThrownBy(() -> SecretReference.parse("hunter2"))
                .hasMessage("must say where the secret is, file:PATH or env:NAME, not the secret itself");
        assertThatThrownBy(() -> SecretReference.parse("env:")).hasMessage("names no variable");
    }

    @Test
    void whatCannotBeReadIsNamedAndEmptySecretsAreRefused() throws Exception {
        assertThatThrownBy(() -> SecretReference.parse("file:" + folder.resolve("absent")).read())
                .hasMessage("the file " + folder.resolve("absent") + " does not exist");
        assertThatThrownBy(() -> SecretReference.parse("env:FACESTREAM_NO_SUCH_VARIABLE").read())
                .hasMessage("the environment variable FACESTREAM_NO_SUCH_VARIABLE is not set");
        Path empty = Files.writeString(folder.resolve("empty"), "\n");
        assertThatThrownBy(() -> SecretReference.parse("file:" + empty).read()).hasMessage("file:" + empty + " is empty");
    }
}
