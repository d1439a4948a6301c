package io.facestream.detect;

/**
 * Walks a JPEG's markers the way libjpeg reads them, so that what is found here is what the
 * decoder will find: bytes that are not a marker are skipped to the next 0xFF (libjpeg discards
 * them with a warning), runs of 0xFF are fill, 0xFF00 is a stuffed zero inside entropy-coded data.
 */
final class JpegMarkers {

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int TEM = 0x01;

    private JpegMarkers() {}

    /**
     * The size in the first start-of-frame segment, which is the one libjpeg uses (it refuses a
     * second), or null where libjpeg would fail before reaching one: no SOI, a scan or the end of
     * the image before any frame, a segment running past the end, a marker it does not know.
     */
    static ImageHeaders.Dimensions frameSize(byte[] b) {
        if (b.length < 2 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != SOI) {
            return null;
        }
        int at = 2;
        while (true) {
            int code = nextSegment(b, at);
            if (code < 0) {
                return null;
            }
            int marker = b[code] & 0xFF;
            int end = marker == SOS ? -1 : segmentEnd(b, code);
            if (end < 0) {
                return null;
            }
            if (isStartOfFrame(marker)) {
                // length, precision, then height and width
                if (code + 7 >= b.length) {
                    return null;
                }
                int height = u16(b, code + 4);
                int width = u16(b, code + 6);
                // libjpeg refuses a zero size (a height defined later by DNL is not supported)
                return width == 0 || height == 0 ? null : new ImageHeaders.Dimensions(width, height);
            }
            at = end;
        }
    }

    /**
     * Whether the end-of-image marker follows the image data. libjpeg decodes a truncated file
     * without an error (the missing part comes out grey), so this is how truncation is told;
     * whatever follows the marker (a phone's trailer, a Motion Photo's video) is not looked at.
     */
    static boolean reachesEndOfImage(byte[] b) {
        int at = 2;
        while (true) {
            int code = nextSegment(b, at);
            if (code < 0) {
                return false;
            }
            if ((b[code] & 0xFF) == EOI) {
                return true;
            }
            int end = segmentEnd(b, code);
            if (end < 0) {
                return false;
            }
            // After a scan header, the entropy-coded data is passed over by nextMarker: it holds
            // no 0xFF other than stuffed zeros and restart markers.
            at = end;
        }
    }

    /**
     * Index just past the segment whose marker code is at {@code code}, or -1 where libjpeg stops:
     * a marker it reads no length for, no room for the length, or a length under 2.
     */
    private static int segmentEnd(byte[] b, int code) {
        if (!hasLength(b[code] & 0xFF) || code + 2 >= b.length) {
            return -1;
        }
        int length = u16(b, code + 1);
        return length < 2 ? -1 : code + 1 + length;
    }

    /** {@link #nextMarker} passing over restart markers and TEM, which stand alone between segments. */
    private static int nextSegment(byte[] b, int from) {
        int code = nextMarker(b, from);
        while (code >= 0 && isStandalone(b[code] & 0xFF)) {
            code = nextMarker(b, code + 1);
        }
        return code;
    }

    /** Index of the next marker's code byte at or after {@code from}, or -1 at the end of the bytes. */
    private static int nextMarker(byte[] b, int from) {
        int i = from;
        while (true) {
            while (i < b.length && (b[i] & 0xFF) != 0xFF) {
                i++;
            }
            while (i < b.length && (b[i] & 0xFF) == 0xFF) {
                i++;
            }
            if (i >= b.length) {
                return -1;
            }
            if (b[i] != 0) {
                return i;
            }
            i++;
        }
    }

    /** Restart markers and TEM carry no length. */
    private static boolean isStandalone(int marker) {
        return marker >= 0xD0 && marker <= 0xD7 || marker == TEM;
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /**
     * Markers libjpeg reads a length for: SOFn, DHT, DAC, SOS, DQT, DNL, DRI, APPn, COM. It stops
     * with an error at any other (a second SOI, DHP, EXP, JPGn, reserved codes).
     */
    private static boolean hasLength(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC8
                || marker >= 0xDA && marker <= 0xDD
                || marker >= 0xE0 && marker <= 0xEF
                || marker == 0xFE;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }
}
