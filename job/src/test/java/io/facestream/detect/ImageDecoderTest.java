package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
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

    private RejectReason rejection(byte[] bytes, String contentType) {
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

        assertThat(rejection(new byte[0], null)).isEqualTo(RejectReason.EMPTY_IMAGE);
        assertThat(rejection(random, null)).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        assertThat(rejection(Arrays.copyOf(chris, chris.length / 2), null)).isEqualTo(RejectReason.CORRUPT_IMAGE);
        assertThat(rejection(Arrays.copyOf(png, png.length - 20), null)).isEqualTo(RejectReason.CORRUPT_IMAGE);
        assertThat(rejection(chris, "application/pdf")).isEqualTo(RejectReason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(rejection("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(), null)).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        assertThatThrownBy(() -> new ImageDecoder(100, 10_000_000).decode(chris, null))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.BYTES_TOO_LARGE))
                // The fact and the limit; each front-end has its own name for the setting.
                .hasMessage("The image has " + chris.length + " bytes, over the limit of 100 bytes. Send smaller images, "
                        + "or raise the byte limit.");
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
        assertThat(rejection(bomb, null)).isEqualTo(RejectReason.IMAGE_TOO_LARGE);

        byte[] jpeg = encode(".jpg", new Mat(30, 40, CvType.CV_8UC3, new Scalar(1, 2, 3)));
        assertThat(ImageHeaders.read(ImageDecoder.Format.JPEG, jpeg)).isEqualTo(new ImageHeaders.Dimensions(40, 30));
        assertThatThrownBy(() -> new ImageDecoder(1024 * 1024, 40 * 30 - 1).decode(jpeg, null))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.IMAGE_TOO_LARGE))
                .hasMessage("The JPEG image is 40x30 pixels, over the limit of 1199 pixels. Downscale it before sending, "
                        + "or raise the pixel limit.");
    }

    private static final int WIDTH = 53;
    private static final int HEIGHT = 37;

    private static Mat noise(int type) {
        Mat image = new Mat(HEIGHT, WIDTH, type);
        Core.randu(image, 0, 256);
        return image;
    }

    /** Every format and variant OpenCV writes, and a few it does not: each header's size, then a decode. */
    @Test
    void readsEveryAcceptedFormatsSizeFromItsHeader() throws Exception {
        Mat colour = noise(CvType.CV_8UC3);
        Mat grey = noise(CvType.CV_8UC1);
        Mat wide = new Mat();
        colour.convertTo(wide, CvType.CV_16UC3, 257);
        Mat withAlpha = noise(CvType.CV_8UC4);
        Map<String, byte[]> images = new LinkedHashMap<>();
        images.put("JPEG", TestImages.encode(".jpg", colour));
        images.put("JPEG progressive", TestImages.encode(".jpg", colour, Imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1));
        images.put("PNG 16-bit", TestImages.encode(".png", wide));
        images.put("BMP", TestImages.encode(".bmp", colour));
        images.put("BMP with a 12-byte core header", bmpCoreHeader(colour));
        images.put("WebP lossy (VP8)", TestImages.encode(".webp", colour));
        images.put("WebP lossless (VP8L)", TestImages.encode(".webp", colour, Imgcodecs.IMWRITE_WEBP_QUALITY, 101));
        images.put("WebP with alpha (VP8X)", TestImages.encode(".webp", withAlpha));
        images.put("TIFF", TestImages.encode(".tiff", colour));
        images.put("TIFF 16-bit", TestImages.encode(".tiff", wide));
        images.put("TIFF, Java's: big-endian, tiled, deflated", javaTiff(colour, 32));
        images.put("PPM", TestImages.encode(".ppm", colour));
        images.put("PPM 16-bit", TestImages.encode(".ppm", wide));
        images.put("PGM", TestImages.encode(".pgm", grey));
        images.put("PBM", TestImages.encode(".pbm", grey));
        images.put("PPM as text", TestImages.encode(".ppm", colour, Imgcodecs.IMWRITE_PXM_BINARY, 0));
        images.put("PGM with comments between the numbers", pgmWithComments(grey));
        for (Map.Entry<String, byte[]> image : images.entrySet()) {
            byte[] bytes = image.getValue();
            ImageHeaders.Dimensions declared = ImageHeaders.read(ImageDecoder.sniff(bytes), bytes);
            assertThat(declared).as(image.getKey()).isNotNull();
            assertThat(List.of(declared.width(), declared.height())).as(image.getKey()).containsExactly((long) WIDTH, (long) HEIGHT);
            try (DecodedImage decoded = decoder.decode(bytes, null)) {
                assertThat(List.of(decoded.width(), decoded.height())).as(image.getKey()).containsExactly(WIDTH, HEIGHT);
            }
        }
        byte[] tiled = images.get("TIFF, Java's: big-endian, tiled, deflated");
        assertThat(new String(tiled, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("MM");
        assertThat(ImageHeaders.read(ImageDecoder.Format.TIFF, tiled).tilePixels()).isEqualTo(32 * 32);
    }

    @Test
    void refusesAnImageWhoseSizeCannotBeReadAsDamaged() {
        byte[] png = TestImages.encode(".png", noise(CvType.CV_8UC3));
        byte[] notIhdrFirst = png.clone();
        notIhdrFirst[15] = 'X';
        byte[] jpeg = TestImages.encode(".jpg", noise(CvType.CV_8UC3));
        byte[] scanBeforeFrame = jpegWithoutFrameHeader(jpeg);
        byte[] tiff = TestImages.encode(".tiff", noise(CvType.CV_8UC3));
        byte[] directoryOutside = tiff.clone();
        directoryOutside[7] = 0x70;
        byte[] webp = TestImages.encode(".webp", noise(CvType.CV_8UC3));
        byte[] unknownChunk = webp.clone();
        unknownChunk[15] = 'Q';
        byte[] pnmWithoutSize = "P6\nwide high\n255\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bmp = TestImages.encode(".bmp", noise(CvType.CV_8UC3));
        byte[] unknownBmpHeader = bmp.clone();
        unknownBmpHeader[14] = 20;
        for (byte[] damaged : List.of(notIhdrFirst, scanBeforeFrame, directoryOutside, unknownChunk, pnmWithoutSize, unknownBmpHeader)) {
            assertThatThrownBy(() -> decoder.decode(damaged, null))
                    .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(RejectReason.CORRUPT_IMAGE);
                        assertThat(e.getMessage()).contains("header is damaged or unreadable");
                    });
        }
    }

    /** libtiff allocates a strip's declared byte count before finding the file shorter: that is refused unread. */
    @Test
    void refusesATiffWhoseStripsLieOutsideTheFile() {
        byte[] tiff = TestImages.encode(".tiff", noise(CvType.CV_8UC3));
        ByteBuffer bytes = ByteBuffer.wrap(tiff).order(ByteOrder.LITTLE_ENDIAN);
        int directory = bytes.getInt(4);
        for (int entry = directory + 2; entry < directory + 2 + 12 * bytes.getShort(directory); entry += 12) {
            if (bytes.getShort(entry) == 279) { // StripByteCounts, LONG: the first strip now "holds" 805 MB
                int firstCount = bytes.getInt(entry + 4) == 1 ? entry + 8 : bytes.getInt(entry + 8);
                bytes.putInt(firstCount, 0x30000000 | bytes.getInt(firstCount));
            }
        }
        assertThatThrownBy(() -> decoder.decode(tiff, null))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.CORRUPT_IMAGE);
                    assertThat(e.getMessage()).contains("header is damaged or unreadable");
                });
    }

    @Test
    void refusesATiffWhoseTilesExceedThePixelLimitWhateverTheImagesSize() throws Exception {
        byte[] smallImageHugeTile = ImageBombs.tiffTile(64, 2048);
        assertThatThrownBy(() -> new ImageDecoder(1024 * 1024, 1_000_000).decode(smallImageHugeTile, null))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.IMAGE_TOO_LARGE);
                    assertThat(e.getMessage()).contains("tiles of 4194304 pixels");
                });
        try (DecodedImage image = new ImageDecoder(1024 * 1024, 5_000_000).decode(smallImageHugeTile, null)) {
            assertThat(image.width()).isEqualTo(64);
        }
    }

    /** Beyond OpenCV's own ceilings imdecode throws instead of decoding; even without a pixel limit, that is a rejection. */
    @Test
    void refusesWhatOpenCvWouldThrowOnEvenWithoutAPixelLimit() {
        ImageDecoder unlimited = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        for (byte[] image : List.of(TestImages.pngDeclaring(1 << 21, 1), TestImages.pngDeclaring(-1, -1))) {
            assertThatThrownBy(() -> unlimited.decode(image, null))
                    .isInstanceOfSatisfying(ImageRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.IMAGE_TOO_LARGE));
        }
    }

    /** libjpeg skips bytes between segments up to the next marker, so the size check must find the frame past them too. */
    @Test
    void findsTheFrameOfAJpegWithGarbageBetweenSegments() throws Exception {
        byte[] jpeg = TestImages.photo("Chris.jpeg");
        byte[] garbled = ImageBombs.withGarbageBeforeFrame(jpeg);
        assertThat(ImageHeaders.read(ImageDecoder.Format.JPEG, garbled)).isEqualTo(new ImageHeaders.Dimensions(512, 678));
        try (DecodedImage original = decoder.decode(jpeg, null); DecodedImage decoded = decoder.decode(garbled, null)) {
            assertThat(samePixels(original, decoded)).isTrue();
        }
        assertThatThrownBy(() -> new ImageDecoder(1024 * 1024, 512 * 678 - 1).decode(garbled, null))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.IMAGE_TOO_LARGE));
    }

    @Test
    void decodesImagesWithDataAfterTheirEndToTheSamePixels() throws Exception {
        byte[] chris = TestImages.photo("Chris.jpeg");
        byte[] progressive = TestImages.encode(".jpg", TestImages.decode("Chris.jpeg"), Imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1);
        byte[] bryan = TestImages.photo("Bryan.png");
        byte[] video = TestImages.motionPhotoVideo(200_000, 3);
        Map<byte[], List<byte[]>> withTrailers = Map.of(
                chris, List.of(TestImages.withTrailer(chris, TestImages.samsungTrailer()), TestImages.withTrailer(chris, video)),
                progressive, List.of(TestImages.withTrailer(progressive, TestImages.samsungTrailer())),
                bryan, List.of(TestImages.withTrailer(bryan, TestImages.samsungTrailer()), TestImages.withTrailer(bryan, video)));
        for (Map.Entry<byte[], List<byte[]>> original : withTrailers.entrySet()) {
            for (byte[] trailed : original.getValue()) {
                try (DecodedImage expected = decoder.decode(original.getKey(), null); DecodedImage decoded = decoder.decode(trailed, null)) {
                    assertThat(samePixels(expected, decoded)).isTrue();
                }
            }
        }
    }

    /** libjpeg decodes a cut JPEG without complaint (grey where data is missing), so truncation is found from the structure. */
    @Test
    void stillRefusesTruncatedImages() throws Exception {
        byte[] chris = TestImages.photo("Chris.jpeg");
        byte[] progressive = TestImages.encode(".jpg", TestImages.decode("Chris.jpeg"), Imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1);
        byte[] bryan = TestImages.photo("Bryan.png");
        int secondScan = indexOf(progressive, new byte[] {(byte) 0xFF, (byte) 0xDA}, indexOf(progressive, new byte[] {(byte) 0xFF, (byte) 0xDA}, 0) + 2);
        List<byte[]> truncated = List.of(
                Arrays.copyOf(chris, chris.length - 2),
                Arrays.copyOf(chris, chris.length / 2),
                Arrays.copyOf(progressive, secondScan),
                Arrays.copyOf(progressive, progressive.length - 2),
                Arrays.copyOf(bryan, bryan.length - 12),
                Arrays.copyOf(bryan, bryan.length / 2));
        for (byte[] cut : truncated) {
            assertThat(rejection(cut, null)).isEqualTo(RejectReason.CORRUPT_IMAGE);
        }
    }

    private static boolean samePixels(DecodedImage a, DecodedImage b) {
        return a.width() == b.width() && a.height() == b.height() && Core.norm(a.bgr(), b.bgr(), Core.NORM_INF) == 0;
    }

    private static int indexOf(byte[] bytes, byte[] part, int from) {
        for (int i = from; i <= bytes.length - part.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    /** The JPEG with its start-of-frame segment taken out, so its first scan comes before any frame. */
    private static byte[] jpegWithoutFrameHeader(byte[] jpeg) {
        int frame = indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0}, 2);
        int length = (jpeg[frame + 2] & 0xFF) << 8 | (jpeg[frame + 3] & 0xFF);
        byte[] without = new byte[jpeg.length - 2 - length];
        System.arraycopy(jpeg, 0, without, 0, frame);
        System.arraycopy(jpeg, frame + 2 + length, without, frame, jpeg.length - frame - 2 - length);
        return without;
    }

    /** A 24-bit BMP with the 12-byte BITMAPCOREHEADER of OS/2 and early Windows: 16-bit sizes. */
    private static byte[] bmpCoreHeader(Mat bgr) {
        int rowBytes = (bgr.cols() * 3 + 3) & ~3;
        ByteBuffer bmp = ByteBuffer.allocate(14 + 12 + rowBytes * bgr.rows()).order(ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B').put((byte) 'M').putInt(bmp.capacity()).putInt(0).putInt(14 + 12);
        bmp.putInt(12).putShort((short) bgr.cols()).putShort((short) bgr.rows()).putShort((short) 1).putShort((short) 24);
        byte[] row = new byte[bgr.cols() * 3];
        for (int y = bgr.rows() - 1; y >= 0; y--) { // bottom-up
            bgr.get(y, 0, row);
            bmp.put(row).put(new byte[rowBytes - row.length]);
        }
        return bmp.array();
    }

    /** Java's own TIFF writer: big-endian, tiled with {@code tile}-pixel square tiles, deflated. */
    private static byte[] javaTiff(Mat bgr, int tile) throws Exception {
        BufferedImage image = new BufferedImage(bgr.cols(), bgr.rows(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        bgr.get(0, 0, pixels);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        ImageWriteParam parameters = writer.getDefaultWriteParam();
        parameters.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
        parameters.setTiling(tile, tile, 0, 0);
        parameters.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        parameters.setCompressionType("Deflate");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), parameters);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A binary PGM with comments before, between and after the numbers, as netpbm allows. */
    private static byte[] pgmWithComments(Mat grey) {
        byte[] header = ("P5 # written by hand\n" + grey.cols() + "\t# wide\n# and\n" + grey.rows() + "\r\n#max\n255\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] pixels = new byte[grey.cols() * grey.rows()];
        grey.get(0, 0, pixels);
        byte[] pgm = Arrays.copyOf(header, header.length + pixels.length);
        System.arraycopy(pixels, 0, pgm, header.length, pixels.length);
        return pgm;
    }
}
