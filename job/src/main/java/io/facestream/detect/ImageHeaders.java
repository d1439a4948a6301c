package io.facestream.detect;

import java.util.Arrays;

/**
 * Reads an image's pixel dimensions from its header, before any pixel buffer exists, so a small
 * file declaring a gigantic image (a decompression bomb) can be refused cheaply. Each reader
 * follows the library OpenCV decodes the format with (libjpeg, libpng, libwebp, libtiff, its own
 * BMP and PNM readers): the size found here is the size OpenCV allocates, and a header that
 * library would read differently, or not at all, gives null rather than a guess.
 */
final class ImageHeaders {

    /**
     * Width and height as declared by the header, and the pixels of the largest buffer the
     * decoder fills besides the image itself: a TIFF tile, which may be larger than the image.
     */
    record Dimensions(long width, long height, long tilePixels) {
        Dimensions(long width, long height) {
            this(width, height, 0);
        }

        /** Width times height; Long.MAX_VALUE where that overflows (two 32-bit sides can). */
        long pixels() {
            return saturatedProduct(width, height);
        }
    }

    private ImageHeaders() {}

    /** The declared dimensions, or null when the header is damaged or not understood. */
    static Dimensions read(ImageDecoder.Format format, byte[] b) {
        return switch (format) {
            case JPEG -> JpegMarkers.frameSize(b);
            case PNG -> png(b);
            case BMP -> bmp(b);
            case WEBP -> webp(b);
            case TIFF -> tiff(b);
            case PNM -> pnm(b);
        };
    }

    /** libpng refuses a file whose first chunk is not a 13-byte IHDR. */
    private static Dimensions png(byte[] b) {
        if (b.length < 24 || u32be(b, 8) != 13 || !isAscii(b, 12, "IHDR")) {
            return null;
        }
        return positive(u32be(b, 16), u32be(b, 20));
    }

    /**
     * OpenCV's BMP reader takes 16-bit sizes from a 12-byte BITMAPCOREHEADER and signed 32-bit
     * ones from any header of 36 bytes or more (a negative height means top-down rows); it refuses
     * other header sizes and a width that is not positive. RLE-compressed bitmaps declare the same
     * fields, and their runs can fill the whole image from a few bytes.
     */
    private static Dimensions bmp(byte[] b) {
        if (b.length < 18) {
            return null;
        }
        long headerSize = u32le(b, 14);
        if (headerSize == 12 && b.length >= 22) {
            return positive(u16le(b, 18), u16le(b, 20));
        }
        if (headerSize >= 36 && headerSize <= Integer.MAX_VALUE && b.length >= 26) {
            int width = (int) u32le(b, 18);
            int height = (int) u32le(b, 22);
            return width <= 0 ? null : positive(width, Math.abs((long) height));
        }
        return null;
    }

    /**
     * The first chunk after the RIFF header: VP8X holds the canvas size (libwebp refuses a picture
     * of another size inside it), VP8 a lossy key frame's 14-bit sizes after its start code, VP8L
     * the lossless sizes minus one in 14 bits each after its signature byte. libwebp would read
     * any other chunk as a raw bitstream; no valid file has one there, so it is refused.
     */
    private static Dimensions webp(byte[] b) {
        if (b.length < 30) {
            return null;
        }
        if (isAscii(b, 12, "VP8X")) {
            return u32le(b, 16) != 10 ? null : positive(1 + u24le(b, 24), 1 + u24le(b, 27));
        }
        if (isAscii(b, 12, "VP8 ")) {
            boolean keyFrame = (b[20] & 1) == 0;
            boolean startCode = (b[23] & 0xFF) == 0x9D && (b[24] & 0xFF) == 0x01 && (b[25] & 0xFF) == 0x2A;
            return keyFrame && startCode ? positive(u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF) : null;
        }
        if (isAscii(b, 12, "VP8L")) {
            long bits = u32le(b, 21);
            boolean versionZero = bits >>> 29 == 0;
            return (b[20] & 0xFF) == 0x2F && versionZero ? positive((bits & 0x3FFF) + 1, (bits >>> 14 & 0x3FFF) + 1) : null;
        }
        return null;
    }

    private static final int TIFF_IMAGE_WIDTH = 256;
    private static final int TIFF_IMAGE_LENGTH = 257;
    private static final int TIFF_STRIP_OFFSETS = 273;
    private static final int TIFF_ROWS_PER_STRIP = 278;
    private static final int TIFF_STRIP_BYTE_COUNTS = 279;
    private static final int TIFF_TILE_WIDTH = 322;
    private static final int TIFF_TILE_LENGTH = 323;
    private static final int TIFF_TILE_OFFSETS = 324;
    private static final int TIFF_TILE_BYTE_COUNTS = 325;

    /**
     * OpenCV decodes the first page: the first image file directory, which libtiff must be able
     * to read whole. Like libtiff, the first of duplicated tags counts, and a size is one BYTE,
     * SHORT or LONG value. A tiled image is decoded a tile at a time into a buffer of the tile's
     * size, which the header may make far larger than the image. libtiff also allocates a strip's
     * or tile's byte count before reading it, so each must lie within the file.
     */
    private static Dimensions tiff(byte[] b) {
        if (b.length < 8) {
            return null;
        }
        boolean littleEndian = b[0] == 'I';
        long directory = u32(b, 4, littleEndian);
        if (directory < 8 || directory + 2 > b.length) {
            return null;
        }
        int entries = u16(b, (int) directory, littleEndian);
        if (directory + 2 + 12L * entries > b.length) {
            return null;
        }
        long[] sizes = new long[TIFF_TILE_LENGTH + 1];
        Arrays.fill(sizes, -1);
        for (int i = 0; i < entries; i++) {
            int entry = (int) directory + 2 + 12 * i;
            int tag = u16(b, entry, littleEndian);
            if (tag == TIFF_STRIP_OFFSETS || tag == TIFF_STRIP_BYTE_COUNTS || tag == TIFF_TILE_OFFSETS
                    || tag == TIFF_TILE_BYTE_COUNTS) {
                long[] values = tiffIntegers(b, entry, littleEndian);
                if (values == null || Arrays.stream(values).anyMatch(value -> value > b.length)) {
                    return null;
                }
                continue;
            }
            boolean size = tag == TIFF_IMAGE_WIDTH || tag == TIFF_IMAGE_LENGTH || tag == TIFF_ROWS_PER_STRIP
                    || tag == TIFF_TILE_WIDTH || tag == TIFF_TILE_LENGTH;
            if (!size || sizes[tag] != -1) {
                continue;
            }
            long[] values = tiffIntegers(b, entry, littleEndian);
            if (values == null || values.length != 1) {
                return null;
            }
            sizes[tag] = values[0];
        }
        Dimensions image = positive(sizes[TIFF_IMAGE_WIDTH], sizes[TIFF_IMAGE_LENGTH]);
        boolean tiled = sizes[TIFF_TILE_WIDTH] != -1 || sizes[TIFF_TILE_LENGTH] != -1;
        if (image == null || !tiled) {
            return image;
        }
        // OpenCV takes a zero (or absent) tile side as the image's
        long tileWidth = sizes[TIFF_TILE_WIDTH] > 0 ? sizes[TIFF_TILE_WIDTH] : image.width();
        long tileLength = sizes[TIFF_TILE_LENGTH] > 0 ? sizes[TIFF_TILE_LENGTH] : image.height();
        return new Dimensions(image.width(), image.height(), saturatedProduct(tileWidth, tileLength));
    }

    /**
     * The values of a directory entry of BYTE, SHORT or LONG type: in the entry where they fit in
     * four bytes, else at the offset it holds. Null for another type, no values, or values that
     * lie outside the file.
     */
    private static long[] tiffIntegers(byte[] b, int entry, boolean littleEndian) {
        int type = u16(b, entry + 2, littleEndian);
        int size = switch (type) {
            case 1 -> 1;
            case 3 -> 2;
            case 4 -> 4;
            default -> 0;
        };
        long count = u32(b, entry + 4, littleEndian);
        if (size == 0 || count == 0 || count * size > b.length) {
            return null;
        }
        long at = count * size <= 4 ? entry + 8 : u32(b, entry + 8, littleEndian);
        if (at + count * size > b.length) {
            return null;
        }
        long[] values = new long[(int) count];
        for (int i = 0; i < values.length; i++) {
            int value = (int) at + i * size;
            values[i] = switch (size) {
                case 1 -> b[value] & 0xFF;
                case 2 -> u16(b, value, littleEndian);
                default -> u32(b, value, littleEndian);
            };
        }
        return values;
    }

    /**
     * OpenCV reads P1-P6 only with whitespace after the magic number, then width, height and
     * (except for bitmaps) the maximum value as decimal numbers separated by whitespace and
     * comments; see {@link PnmNumbers}.
     */
    private static Dimensions pnm(byte[] b) {
        if (b.length < 3 || !PnmNumbers.isSpace(b[2] & 0xFF)) {
            return null;
        }
        PnmNumbers numbers = new PnmNumbers(b, 2);
        long width = numbers.next();
        long height = numbers.next();
        boolean bitmap = b[1] == '1' || b[1] == '4';
        long maxValue = bitmap ? 1 : numbers.next();
        if (width <= 0 || height <= 0 || maxValue <= 0 || maxValue > 65535) {
            return null;
        }
        return new Dimensions(width, height);
    }

    /** The decimal numbers of a PNM header, read as OpenCV's ReadNumber reads them. */
    private static final class PnmNumbers {
        private final byte[] b;
        private int at;

        PnmNumbers(byte[] b, int at) {
            this.b = b;
            this.at = at;
        }

        /**
         * The next number, or -1 where OpenCV fails: the end of the bytes (even right after the
         * last digit, since it reads the character that ends a number), a character that is not a
         * digit, whitespace or the start of a comment, or a number above Integer.MAX_VALUE.
         */
        long next() {
            int code = nextByte();
            while (!isDigit(code)) {
                if (code == '#') {
                    do {
                        code = nextByte();
                    } while (code != '\n' && code != '\r' && code != -1);
                    code = code == -1 ? -1 : nextByte();
                } else if (isSpace(code)) {
                    while (isSpace(code)) {
                        code = nextByte();
                    }
                } else {
                    return -1;
                }
            }
            long value = 0;
            do {
                value = value * 10 + (code - '0');
                if (value > Integer.MAX_VALUE) {
                    return -1;
                }
                code = nextByte();
            } while (isDigit(code));
            return code == -1 ? -1 : value;
        }

        private int nextByte() {
            return at < b.length ? b[at++] & 0xFF : -1;
        }

        private static boolean isDigit(int c) {
            return c >= '0' && c <= '9';
        }

        /** C's isspace in the C locale. */
        static boolean isSpace(int c) {
            return c == ' ' || c >= '\t' && c <= '\r';
        }
    }

    static long saturatedProduct(long a, long b) {
        long product = a * b;
        return Math.multiplyHigh(a, b) != 0 || product < 0 ? Long.MAX_VALUE : product;
    }

    /** Null for a zero side: every decoder refuses it. */
    private static Dimensions positive(long width, long height) {
        return width > 0 && height > 0 ? new Dimensions(width, height) : null;
    }

    private static boolean isAscii(byte[] b, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (b[at + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int at, boolean littleEndian) {
        return littleEndian ? u16le(b, at) : (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static long u32(byte[] b, int at, boolean littleEndian) {
        return littleEndian ? u32le(b, at) : u32be(b, at);
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long u24le(byte[] b, int at) {
        return u16le(b, at) | (long) (b[at + 2] & 0xFF) << 16;
    }

    private static long u32le(byte[] b, int at) {
        return u24le(b, at) | (long) (b[at + 3] & 0xFF) << 24;
    }

    private static long u32be(byte[] b, int at) {
        return (long) (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
