package io.facestream.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.DetectedFace;
import io.facestream.detect.GoldenDetections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

@Timeout(60)
class AnnotationWriterTest {

    /** A face placed by hand on testdata/Chris.jpeg (512 x 678). */
    private static final DetectedFace FACE = new DetectedFace(0.987f, 100, 120, 300, 360,
            new float[] {150, 200, 250, 200, 200, 250, 160, 300, 240, 300});
    private static final Path CHRIS = GoldenDetections.testdata().resolve("Chris.jpeg");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Annotator.Format.class)
    void writesPicturesOfTheOriginalSizeWithTheBoxesDrawn(Annotator.Format format) throws Exception {
        AnnotationWriter.Outcome outcome;
        try (AnnotationWriter writer = new AnnotationWriter(tmp, format, 2, 4)) {
            writer.submit(CHRIS, "sub/Chris.jpeg", List.of(FACE));
            outcome = writer.finish();
        }

        assertThat(outcome.written()).isEqualTo(1);
        assertThat(outcome.failed()).isZero();
        Path picture = tmp.resolve(format == Annotator.Format.JPEG ? "sub_Chris.jpeg.annotated.jpg" : "sub_Chris.jpeg.annotated.png");
        assertThat(Files.readAllBytes(picture)).startsWith(format == Annotator.Format.JPEG
                ? new byte[] {(byte) 0xFF, (byte) 0xD8} : new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Mat read = Imgcodecs.imread(picture.toString());
        assertThat(read.cols()).isEqualTo(512);
        assertThat(read.rows()).isEqualTo(678);
        double[] leftEdge = read.get(240, 100);
        assertThat(leftEdge[0]).as("blue of the box's left edge").isLessThan(40);
        assertThat(leftEdge[1]).as("green of the box's left edge").isGreaterThan(215);
        assertThat(leftEdge[2]).as("red of the box's left edge").isLessThan(40);
    }

    @Test
    void everyQueuedPictureIsWrittenWhenFewMayWaitAndAnUnreadableImageIsReported() throws Exception {
        AnnotationWriter.Outcome outcome;
        try (AnnotationWriter writer = new AnnotationWriter(tmp, Annotator.Format.JPEG, 2, 1)) {
            for (int i = 0; i < 12; i++) {
                writer.submit(CHRIS, "Chris-" + i + ".jpeg", List.of(FACE));
            }
            writer.submit(tmp.resolve("gone.jpeg"), "gone.jpeg", List.of(FACE));
            outcome = writer.finish();
        }

        assertThat(outcome.written()).isEqualTo(12);
        assertThat(outcome.failed()).isEqualTo(1);
        assertThat(outcome.problems()).singleElement().asString().startsWith("gone.jpeg: ").contains("NoSuchFileException");
        for (int i = 0; i < 12; i++) {
            assertThat(tmp.resolve("Chris-" + i + ".jpeg.annotated.jpg")).isNotEmptyFile();
        }
        assertThat(tmp.resolve("gone.jpeg.annotated.jpg")).doesNotExist();
    }
}
