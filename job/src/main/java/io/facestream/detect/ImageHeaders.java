package io.facestream.detect;

/**
 * Reads an image's pixel dimensions from its header, before any pixel buffer exists, so a small
 * file declaring a gigantic image (a decompression bomb) can be refused cheaply.
 */
final class ImageHeaders {

    /** Width and height as declared by the header. */
    record Dimensions(long width, long height) {
        long pixels() {
            return width * height;
        }
    }

    private ImageHeaders() {}

    /** The declared dimensions, or null when the header is not understood (the decoder then decides). */
    static Dimensions read(ImageDecoder.Format format, byte[] b) {
        return switch (format) {
            case PNG -> b.length >= 24 ? new Dimensions(u32be(b, 16), u32be(b, 20)) : null;
            case BMP -> b.length >= 26 ? new Dimensions(Math.abs((long) s32le(b, 18)), Math.abs((long) s32le(b, 22))) : null;
            case JPEG -> jpeg(b);
            default -> null;
        };
    }

    /** Walks the marker segments up to the first start-of-frame, which holds the size. */
    private static Dimensions jpeg(byte[] b) {
        int i = 2;
        while (i + 9 < b.length) {
            if ((b[i] & 0xFF) != 0xFF) {
                return null;
            }
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            int length = u16be(b, i + 2);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                return new Dimensions(u16be(b, i + 7), u16be(b, i + 5));
            }
            if (marker == 0xDA || length < 2) {
                return null;
            }
            i += 2 + length;
        }
        return null;
    }

    private static int u16be(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static long u32be(byte[] b, int at) {
        return (long) u16be(b, at) << 16 | u16be(b, at + 2);
    }

    private static int s32le(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | b[at + 3] << 24;
    }
}
