package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.avro.DeadLetterReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageReferencesTest {

    @TempDir
    Path tmp;

    private DeadLetterReason refusal(ImageReferences references, String uri) {
        try {
            references.read(uri, 1 << 20);
        } catch (EventRejectedException e) {
            assertThat(e.getMessage()).contains(uri.length() > 60 ? uri.substring(0, 20) : uri);
            return e.reason();
        }
        throw new AssertionError("read " + uri);
    }

    @Test
    void readsAllowedFilesThroughFlinksFileSystemsAndNothingElse() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not for producers");
        Files.write(images.resolve("a.jpg"), new byte[] {1, 2, 3});
        Files.createDirectories(tmp.resolve("images-other"));
        Files.write(tmp.resolve("images-other/b.jpg"), new byte[] {4});
        String base = images.toUri().toString(); // file:///.../images/
        ImageReferences references = new ImageReferences(List.of(base));

        assertThat(references.read(base + "a.jpg", 100)).containsExactly(1, 2, 3);
        assertThat(refusal(references, secret.toUri().toString())).isEqualTo(DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
        assertThat(refusal(references, base + "../secret.txt")).isEqualTo(DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
        assertThat(refusal(references, base + "%2e%2e/secret.txt")).isEqualTo(DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
        // A sibling folder whose name starts like the allowed one is not inside it.
        assertThat(refusal(references, tmp.resolve("images-other/b.jpg").toUri().toString()))
                .isEqualTo(DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
        assertThat(refusal(references, "http://example.invalid/a.jpg")).isEqualTo(DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
        assertThat(refusal(references, base + "missing.jpg")).isEqualTo(DeadLetterReason.IMAGE_URI_UNREADABLE);
        assertThatThrownBy(() -> references.read(base + "a.jpg", 2))
                .isInstanceOfSatisfying(EventRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.PAYLOAD_TOO_LARGE));
    }

    @Test
    void referencesAreOffUnlessAllowed() {
        assertThat(refusal(new ImageReferences(List.of()), "file:///tmp/a.jpg")).isEqualTo(DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
        assertThatThrownBy(() -> new ImageReferences(List.of("images/")))
                .hasMessageContaining("--image-uri-allow: not a location: images/");
    }
}
