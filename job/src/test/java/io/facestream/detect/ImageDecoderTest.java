package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.avro.DeadLetterReason;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(1024 * 1024, 10_000_000);

    private static byte[] encode(String extension, Mat image) {
        MatOfByte buffer = new MatOfByte();
        assertThat(Imgcodecs.imencode(extension, image, buffer)).isTrue();
        return buffer.toArray();
    }

    private DeadLetterReason rejection(byte[] bytes, String contentType) {
        try {
            decoder.decode(bytes, contentType).close();
        } catch (ImageRejectedException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void dropsAlphaAndExpandsGreyToThreeChannels() throws Exception {
        byte[] rgba = encode(".png", new Mat(20, 30, CvType.CV_8UC4, new Scalar(10, 20, 30, 0)));
        try (DecodedImage image = decoder.decode(rgba, "image/png")) {
            assertThat(image.bgr().channels()).isEqualTo(3);
            assertThat(image.width()).isEqualTo(30);
            assertThat(image.bgr().get(0, 0)).containsExactly(10, 20, 30);
        }
        byte[] grey = encode(".png", new Mat(8, 8, CvType.CV_8UC1, new Scalar(77)));
        try (DecodedImage image = decoder.decode(grey, null)) {
            assertThat(image.bgr().channels()).isEqualTo(3);
            assertThat(image.bgr().get(0, 0)).containsExactly(77, 77, 77);
        }
    }

    @Test
    void appliesExifOrientation() throws Exception {
        byte[] jpeg = encode(".jpg", new Mat(20, 40, CvType.CV_8UC3, new Scalar(0, 0, 255)));
        byte[] rotated = TestImages.withExifOrientation(jpeg, 6); // "rotate 90 degrees clockwise to display"
        try (DecodedImage image = decoder.decode(rotated, "image/jpeg")) {
            assertThat(image.width()).isEqualTo(20);
            assertThat(image.height()).isEqualTo(40);
        }
    }

    @Test
    void rejectsBadInputWithItsReason() throws Exception {
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        byte[] png = Files.readAllBytes(GoldenDetections.testdata().resolve("Bryan.png"));
        byte[] random = new byte[1000];
        new Random(1).nextBytes(random);
        random[0] = 1;

        assertThat(rejection(new byte[0], null)).isEqualTo(DeadLetterReason.EMPTY_PAYLOAD);
        assertThat(rejection(random, null)).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
        assertThat(rejection(Arrays.copyOf(chris, chris.length / 2), null)).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
        assertThat(rejection(Arrays.copyOf(png, png.length - 20), null)).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
        assertThat(rejection(chris, "application/pdf")).isEqualTo(DeadLetterReason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(rejection("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(), null)).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
        assertThatThrownBy(() -> new ImageDecoder(100, 10_000_000).decode(chris, null))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.PAYLOAD_TOO_LARGE));
    }

    @Test
    void decodesUnusualButValidImages() throws Exception {
        for (byte[] image : java.util.List.of(TestImages.onePixelPng(), TestImages.sixteenBitPng("Bryan.png"),
                TestImages.greyPng("Luciano.png"), TestImages.palettePng("Luciano.png"), TestImages.cmykJpeg("Chris.jpeg"))) {
            try (DecodedImage decoded = decoder.decode(image, null)) {
                assertThat(decoded.bgr().channels()).isEqualTo(3);
                assertThat(decoded.bgr().depth()).isEqualTo(CvType.CV_8U);
            }
        }
        try (DecodedImage upright = decoder.decode(TestImages.exifRotatedJpeg("Chris.jpeg"), null)) {
            assertThat(upright.width()).isEqualTo(512);
            assertThat(upright.height()).isEqualTo(678);
        }
    }

    @Test
    void refusesHugeDeclaredDimensionsBeforeDecoding() throws Exception {
        byte[] png = encode(".png", new Mat(10, 10, CvType.CV_8UC3, new Scalar(1, 2, 3)));
        byte[] bomb = png.clone();
        // IHDR width and height (big-endian at 16 and 20): 50000 x 50000
        for (int at : new int[] {16, 20}) {
            bomb[at] = 0;
            bomb[at + 1] = 0;
            bomb[at + 2] = (byte) (50000 >> 8);
            bomb[at + 3] = (byte) (50000 & 0xFF);
        }
        assertThat(rejection(bomb, null)).isEqualTo(DeadLetterReason.IMAGE_TOO_LARGE);

        byte[] jpeg = encode(".jpg", new Mat(30, 40, CvType.CV_8UC3, new Scalar(1, 2, 3)));
        assertThat(ImageHeaders.read(ImageDecoder.Format.JPEG, jpeg)).isEqualTo(new ImageHeaders.Dimensions(40, 30));
        assertThatThrownBy(() -> new ImageDecoder(1024 * 1024, 40 * 30 - 1).decode(jpeg, null))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.IMAGE_TOO_LARGE));
    }
}
