package io.facestream.detect;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Unusual but valid images, and broken ones, made from the test photos. */
public final class TestImages {

    static {
        Natives.loadOpenCv();
    }

    private TestImages() {}

    public static byte[] photo(String name) throws IOException {
        return Files.readAllBytes(GoldenDetections.testdata().resolve(name));
    }

    public static Mat decode(String name) throws IOException {
        return Imgcodecs.imdecode(new MatOfByte(photo(name)), Imgcodecs.IMREAD_COLOR);
    }

    public static byte[] encode(String extension, Mat image, int... parameters) {
        MatOfByte buffer = new MatOfByte();
        if (!Imgcodecs.imencode(extension, image, buffer, new MatOfInt(parameters))) {
            throw new IllegalStateException("cannot encode " + extension);
        }
        return buffer.toArray();
    }

    public static byte[] onePixelPng() {
        return encode(".png", new Mat(1, 1, CvType.CV_8UC3, new Scalar(90, 120, 200)));
    }

    public static byte[] sixteenBitPng(String name) throws IOException {
        Mat wide = new Mat();
        decode(name).convertTo(wide, CvType.CV_16UC3, 257);
        return encode(".png", wide);
    }

    public static byte[] greyPng(String name) throws IOException {
        Mat grey = new Mat();
        Imgproc.cvtColor(decode(name), grey, Imgproc.COLOR_BGR2GRAY);
        return encode(".png", grey);
    }

    /** An 8-bit palette PNG (colour type 3), written by Java's own PNG encoder. */
    public static byte[] palettePng(String name) throws IOException {
        BufferedImage rgb = ImageIO.read(GoldenDetections.testdata().resolve(name).toFile());
        BufferedImage indexed = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
        indexed.getGraphics().drawImage(rgb, 0, 0, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(indexed, "png", out);
        return out.toByteArray();
    }

    /** A four-channel (CMYK) JPEG of the photo, written by Java's JPEG encoder from a raw raster. */
    public static byte[] cmykJpeg(String name) throws IOException {
        BufferedImage rgb = ImageIO.read(GoldenDetections.testdata().resolve(name).toFile());
        WritableRaster cmyk = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE,
                rgb.getWidth(), rgb.getHeight(), 4, null);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int pixel = rgb.getRGB(x, y);
                float r = ((pixel >> 16) & 0xFF) / 255f;
                float g = ((pixel >> 8) & 0xFF) / 255f;
                float b = (pixel & 0xFF) / 255f;
                float k = 1 - Math.max(r, Math.max(g, b));
                float d = k < 1 ? 1 - k : 1;
                cmyk.setPixel(x, y, new int[] {
                    Math.round(255 * (1 - r - k) / d), Math.round(255 * (1 - g - k) / d), Math.round(255 * (1 - b - k) / d),
                    Math.round(255 * k)});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(new IIOImage(cmyk, null, null));
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * The photo stored turned a quarter left, with the EXIF orientation (6: "turn 90 degrees
     * clockwise to display") that makes viewers show it upright.
     */
    public static byte[] exifRotatedJpeg(String name) throws IOException {
        Mat turned = new Mat();
        Core.rotate(decode(name), turned, Core.ROTATE_90_COUNTERCLOCKWISE);
        return withExifOrientation(encode(".jpg", turned), 6);
    }

    /** Inserts an APP1 Exif segment holding only the orientation tag right after the JPEG's SOI marker. */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {
            'M', 'M', 0, 42, 0, 0, 0, 8,             // big-endian TIFF header, IFD at offset 8
            0, 1,                                     // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, count 1
            0, 0, 0, 0                                // no next IFD
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        int length = 2 + 6 + tiff.length;
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A valid PNG header declaring width x height pixels, with the rest of a tiny image behind it. */
    public static byte[] pngDeclaring(int width, int height) {
        byte[] png = encode(".png", new Mat(10, 10, CvType.CV_8UC3, new Scalar(1, 2, 3)));
        int[][] fields = {{16, width}, {20, height}};
        for (int[] field : fields) {
            png[field[0]] = (byte) (field[1] >>> 24);
            png[field[0] + 1] = (byte) (field[1] >>> 16);
            png[field[0] + 2] = (byte) (field[1] >>> 8);
            png[field[0] + 3] = (byte) field[1];
        }
        return png;
    }

    /** A PNG of random noise: incompressible, so about 3 bytes per pixel. */
    public static byte[] noisePng(int width, int height) {
        Mat noise = new Mat(height, width, CvType.CV_8UC3);
        Core.randu(noise, 0, 256);
        return encode(".png", noise);
    }

    /** The image with {@code trailer} appended after its end, as phones and cameras write them. */
    public static byte[] withTrailer(byte[] image, byte[] trailer) {
        byte[] joined = Arrays.copyOf(image, image.length + trailer.length);
        System.arraycopy(trailer, 0, joined, image.length, trailer.length);
        return joined;
    }

    /**
     * Shaped like the metadata Samsung cameras append after a JPEG's end: tagged records, then an
     * "SEFH" directory, its length and "SEFT" at the very end.
     */
    public static byte[] samsungTrailer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0x01, 0x0a});
        out.writeBytes("Image_UTC_Data1719340000000".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {0, 0, (byte) 0xa1, 0x0a});
        out.writeBytes("MCC_Data310".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("SEFH".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {0x6b, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0x01, 0x0a, 0x2f, 0, 0, 0, 0x1b, 0, 0, 0});
        out.writeBytes(new byte[] {0x24, 0, 0, 0});
        out.writeBytes("SEFT".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * What a Motion Photo appends after the JPEG: an MP4 (ftyp box, then an mdat box of
     * {@code mediaBytes} random bytes, which contain JPEG-looking markers).
     */
    public static byte[] motionPhotoVideo(int mediaBytes, long seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0, 0x18});
        out.writeBytes("ftypmp42\0\0\0\0isommp42".getBytes(StandardCharsets.ISO_8859_1));
        int size = 8 + mediaBytes;
        out.writeBytes(new byte[] {(byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8), (byte) size});
        out.writeBytes("mdat".getBytes(StandardCharsets.US_ASCII));
        byte[] media = randomBytes(mediaBytes, seed);
        byte[] markers = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA, 0, 8, (byte) 0xFF, (byte) 0xD9};
        System.arraycopy(markers, 0, media, mediaBytes / 2, markers.length);
        out.writeBytes(media);
        return out.toByteArray();
    }

    public static byte[] truncated(byte[] bytes, int keep) {
        return Arrays.copyOf(bytes, keep);
    }

    public static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
