package io.facestream.detect;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

/**
 * Small files that decode to a huge image of one colour, one for each way into the decoder. Each
 * is a complete, valid file its decoder really expands (see {@link BombPeakMemory}'s control
 * decodes), except where noted. OpenCV encodes the JPEG, PNG and TIFF ones from a constant image,
 * which needs side x side x 3 bytes while encoding; the others are written here, for any side.
 */
public final class ImageBombs {

    static {
        Natives.loadOpenCv();
    }

    private ImageBombs() {}

    /** A name for each bomb of {@code side} x {@code side} pixels, in a fixed order. */
    public static Map<String, byte[]> all(int side) {
        Map<String, byte[]> bombs = new LinkedHashMap<>();
        bombs.put("JPEG", jpeg(side));
        bombs.put("JPEG, garbage between segments", withGarbageBeforeFrame(jpeg(side)));
        bombs.put("PNG", opencv(".png", side));
        bombs.put("BMP, RLE8", bmpRle8(side));
        bombs.put("WebP, lossless", webpLossless(side));
        bombs.put("TIFF", opencv(".tiff", side));
        bombs.put("TIFF, 64x64 in one huge tile", tiffTile(64, side));
        bombs.put("PNM (P4 bitmap)", pbm(side));
        return bombs;
    }

    public static byte[] jpeg(int side) {
        return opencv(".jpg", side);
    }

    private static byte[] opencv(String extension, int side) {
        Mat constant = new Mat(side, side, CvType.CV_8UC3, new Scalar(90, 120, 200));
        try {
            return TestImages.encode(extension, constant);
        } finally {
            constant.release();
        }
    }

    /**
     * Bytes that are no marker between the JFIF segment and the next: libjpeg skips them with a
     * warning ("extraneous bytes before marker") and decodes the image.
     */
    public static byte[] withGarbageBeforeFrame(byte[] jpeg) {
        int afterApp0 = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        byte[] garbage = "not a marker: \u0001\u0002 just bytes ".repeat(4).getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, afterApp0);
        out.writeBytes(garbage);
        out.write(jpeg, afterApp0, jpeg.length - afterApp0);
        return out.toByteArray();
    }

    /**
     * An 8-bit RLE bitmap whose data is just "end of bitmap": OpenCV fills everything not yet
     * drawn, that is the whole image, with the first palette colour.
     */
    public static byte[] bmpRle8(int side) {
        int headers = 14 + 40;
        int palette = 4;
        byte[] data = {0, 1};
        ByteBuffer bmp = ByteBuffer.allocate(headers + palette + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B').put((byte) 'M').putInt(bmp.capacity()).putInt(0).putInt(headers + palette);
        bmp.putInt(40).putInt(side).putInt(side).putShort((short) 1).putShort((short) 8)
                .putInt(1 /* BI_RLE8 */).putInt(data.length).putInt(2835).putInt(2835).putInt(1 /* colours used */).putInt(0);
        bmp.put((byte) 90).put((byte) 120).put((byte) 200).put((byte) 0); // blue, green, red, unused
        bmp.put(data);
        return bmp.array();
    }

    /**
     * A lossless WebP whose five prefix codes each hold a single symbol: such a code takes zero
     * bits, so every pixel is the same colour and the pixel data is empty. libwebp still fills
     * its width x height ARGB buffer, then OpenCV's BGR one.
     */
    public static byte[] webpLossless(int side) {
        LsbBits bits = new LsbBits();
        bits.write(0x2F, 8); // signature
        bits.write(side - 1, 14);
        bits.write(side - 1, 14);
        bits.write(0, 1); // alpha not used
        bits.write(0, 3); // version 0
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no colour cache
        bits.write(0, 1); // no meta prefix codes
        for (int symbol : new int[] {120 /* green */, 200 /* red */, 90 /* blue */, 255 /* alpha */}) {
            bits.write(1, 1); // simple code
            bits.write(0, 1); // one symbol
            bits.write(1, 1); // of 8 bits
            bits.write(symbol, 8);
        }
        bits.write(1, 1); // distance code: simple, one symbol of 1 bit, symbol 0
        bits.write(0, 1);
        bits.write(0, 1);
        bits.write(0, 1);
        byte[] vp8l = bits.toBytes(8);
        int padded = vp8l.length + (vp8l.length & 1);
        ByteBuffer webp = ByteBuffer.allocate(20 + padded).order(ByteOrder.LITTLE_ENDIAN);
        webp.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + padded)
                .put("WEBP".getBytes(StandardCharsets.US_ASCII))
                .put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(vp8l.length).put(vp8l);
        return webp.array();
    }

    /**
     * A grey width x width TIFF stored as one tile of side x side pixels, deflated: OpenCV decodes
     * a tile at a time into a buffer of the tile's size (four bytes a pixel), whatever the image's.
     */
    public static byte[] tiffTile(int width, int side) {
        byte[] tile = deflate((long) side * side);
        int entries = 11;
        int directory = 8;
        int data = directory + 2 + 12 * entries + 4;
        ByteBuffer tiff = ByteBuffer.allocate(data + tile.length).order(ByteOrder.LITTLE_ENDIAN);
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(directory);
        tiff.putShort((short) entries);
        tiffEntry(tiff, 256, 3, width); // ImageWidth
        tiffEntry(tiff, 257, 3, width); // ImageLength
        tiffEntry(tiff, 258, 3, 8); // BitsPerSample
        tiffEntry(tiff, 259, 3, 8); // Compression: deflate
        tiffEntry(tiff, 262, 3, 1); // Photometric: black is zero
        tiffEntry(tiff, 277, 3, 1); // SamplesPerPixel
        tiffEntry(tiff, 284, 3, 1); // PlanarConfiguration: contiguous
        tiffEntry(tiff, 322, 4, side); // TileWidth
        tiffEntry(tiff, 323, 4, side); // TileLength
        tiffEntry(tiff, 324, 4, data); // TileOffsets
        tiffEntry(tiff, 325, 4, tile.length); // TileByteCounts
        tiff.putInt(0); // no further directory
        tiff.put(tile);
        return tiff.array();
    }

    private static void tiffEntry(ByteBuffer tiff, int tag, int type, int value) {
        tiff.putShort((short) tag).putShort((short) type).putInt(1);
        if (type == 3) {
            tiff.putShort((short) value).putShort((short) 0);
        } else {
            tiff.putInt(value);
        }
    }

    /** Binary bitmap: one bit a pixel, so the file is an eighth of a byte a pixel. */
    public static byte[] pbm(int side) {
        byte[] header = ("P4\n" + side + " " + side + "\n").getBytes(StandardCharsets.US_ASCII);
        long rowBytes = (side + 7) / 8;
        byte[] pbm = new byte[Math.toIntExact(header.length + rowBytes * side)];
        System.arraycopy(header, 0, pbm, 0, header.length);
        return pbm;
    }

    /** zlib stream of {@code zeros} zero bytes, without holding them all. */
    private static byte[] deflate(long zeros) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 20];
        byte[] buffer = new byte[1 << 16];
        try {
            for (long left = zeros; left > 0; left -= chunk.length) {
                deflater.setInput(chunk, 0, (int) Math.min(chunk.length, left));
                while (!deflater.needsInput()) {
                    out.write(buffer, 0, deflater.deflate(buffer));
                }
            }
            deflater.finish();
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    /** Bits packed least significant first, as VP8L reads them. */
    private static final class LsbBits {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int current;
        private int used;

        void write(int value, int count) {
            for (int i = 0; i < count; i++) {
                current |= (value >> i & 1) << used;
                if (++used == 8) {
                    bytes.write(current);
                    current = 0;
                    used = 0;
                }
            }
        }

        /** The bits, then {@code padding} zero bytes so the reader never runs out while filling its window. */
        byte[] toBytes(int padding) {
            if (used > 0) {
                bytes.write(current);
            }
            bytes.writeBytes(new byte[padding]);
            return bytes.toByteArray();
        }
    }
}
