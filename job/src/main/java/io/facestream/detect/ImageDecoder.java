package io.facestream.detect;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.opencv.core.CvException;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Decodes encoded images with OpenCV into 8-bit BGR: alpha dropped, grey expanded to three
 * channels, EXIF orientation applied. Rejects what it cannot decode, with the reason.
 *
 * <p>The pixel limit is checked against the size in the header, for every format, before OpenCV
 * sees the bytes; an image whose header cannot be read is not decoded at all. What decoding then
 * costs at its peak, measured with the codecs of OpenCV 4.9: 3 bytes a pixel for baseline
 * JPEG, PNG, BMP, PNM and TIFF, 16-bit ones included (each codec narrows to 8 bits row by row or
 * tile by tile, never through a 16-bit image); 6 for a progressive JPEG with the usual 4:2:0
 * chroma (libjpeg keeps every coefficient; more without subsampling); 7 to 8 for WebP (libwebp's
 * own ARGB image); and TIFF adds 4 bytes for each pixel of its largest strip or tile, which the
 * limit also covers.
 */
public final class ImageDecoder {

    /** Image formats recognised from their first bytes. */
    enum Format { JPEG, PNG, BMP, WEBP, TIFF, PNM }

    private final long maxImageBytes;
    private final long maxImagePixels;

    public ImageDecoder(long maxImageBytes, long maxImagePixels) {
        Natives.loadOpenCv();
        this.maxImageBytes = maxImageBytes;
        this.maxImagePixels = maxImagePixels;
    }

    public DecodedImage decode(byte[] encoded, String contentType) throws ImageRejectedException {
        return decode(encoded, contentType, null);
    }

    /**
     * Decodes for a model input made by {@code policy}: a JPEG at least twice as large as the
     * policy needs is decoded at 1/2, 1/4 or 1/8 resolution (never below what the policy uses).
     */
    public DecodedImage decode(byte[] encoded, String contentType, SizePolicy policy) throws ImageRejectedException {
        if (encoded == null || encoded.length == 0) {
            throw new ImageRejectedException(RejectReason.EMPTY_IMAGE,
                    "The image is empty (0 bytes). Send the encoded image bytes (JPEG, PNG, ...) as the value.");
        }
        if (encoded.length > maxImageBytes) {
            throw new ImageRejectedException(RejectReason.BYTES_TOO_LARGE, String.format(
                    "The image has %d bytes, over the limit of %d bytes. Send smaller images, or raise the byte limit.",
                    encoded.length, maxImageBytes));
        }
        if (contentType != null && !contentType.isBlank()
                && !contentType.toLowerCase(Locale.ROOT).trim().startsWith("image/")) {
            throw new ImageRejectedException(RejectReason.UNSUPPORTED_CONTENT_TYPE, String.format(
                    "Content type '%s' is not an image type. Set contentType to image/jpeg, image/png, ... or leave it null.",
                    contentType));
        }
        Format format = sniff(encoded);
        if (format == null) {
            throw new ImageRejectedException(RejectReason.UNSUPPORTED_FORMAT,
                    "The bytes are not in an image format FaceStream decodes (JPEG, PNG, BMP, WebP, TIFF, PNM); "
                            + "first bytes: " + hexPrefix(encoded) + ". Convert the image to JPEG or PNG.");
        }
        ImageHeaders.Dimensions declared = ImageHeaders.read(format, encoded);
        if (declared == null) {
            throw new ImageRejectedException(RejectReason.CORRUPT_IMAGE, String.format(
                    "The %s image's header is damaged or unreadable (%d bytes), so its size is unknown; it was not "
                            + "decoded. Re-send a valid image.", format, encoded.length));
        }
        checkPixels(format, declared);
        if (isTruncated(format, encoded)) {
            throw new ImageRejectedException(RejectReason.CORRUPT_IMAGE, String.format(
                    "The %s image is truncated or damaged (%d bytes): its data does not reach its end marker. "
                            + "Re-send the complete file.", format, encoded.length));
        }
        int reduction = 1;
        if (format == Format.JPEG && policy != null) {
            reduction = reduction(policy.maxScale((int) declared.width(), (int) declared.height()));
        }
        MatOfByte buffer = new MatOfByte(encoded);
        Mat bgr;
        try {
            bgr = Imgcodecs.imdecode(buffer, READ_FLAGS[Integer.numberOfTrailingZeros(reduction)]);
        } catch (CvException e) {
            // OpenCV checks some things only after reading the header, outside its own error handling
            throw new ImageRejectedException(RejectReason.CORRUPT_IMAGE, String.format(
                    "The %s image (%d bytes) could not be decoded: the file is damaged (%s). Re-send a valid image.",
                    format, encoded.length, firstLine(e.getMessage())), e);
        } finally {
            buffer.release();
        }
        if (bgr.empty()) {
            bgr.release();
            throw new ImageRejectedException(RejectReason.CORRUPT_IMAGE, String.format(
                    "The %s image (%d bytes) could not be decoded: the file is damaged. Re-send a valid image.",
                    format, encoded.length));
        }
        try {
            checkPixels(format, new ImageHeaders.Dimensions((long) bgr.cols() * reduction, (long) bgr.rows() * reduction));
        } catch (ImageRejectedException e) {
            bgr.release();
            throw e;
        }
        if (reduction == 1) {
            return new DecodedImage(bgr);
        }
        // The header's size, turned if EXIF orientation turned the picture a quarter.
        boolean turned = Math.abs((long) bgr.cols() * reduction - declared.width()) >= reduction;
        return new DecodedImage(bgr, reduction, (int) (turned ? declared.height() : declared.width()),
                (int) (turned ? declared.width() : declared.height()));
    }

    /** Colour decoding at full, 1/2, 1/4 and 1/8 resolution (EXIF orientation applied in each). */
    private static final int[] READ_FLAGS = {Imgcodecs.IMREAD_COLOR, Imgcodecs.IMREAD_REDUCED_COLOR_2,
        Imgcodecs.IMREAD_REDUCED_COLOR_4, Imgcodecs.IMREAD_REDUCED_COLOR_8};

    /** The largest of 1, 2, 4, 8 that still leaves at least the resolution the model input needs. */
    static int reduction(float maxScale) {
        int reduction = 1;
        while (reduction < 8 && maxScale * reduction * 2 <= 1f) {
            reduction *= 2;
        }
        return reduction;
    }

    /**
     * OpenCV's own ceilings (its CV_IO_MAX_IMAGE_WIDTH, _HEIGHT and _PIXELS defaults): past them it
     * throws after having read the header, with whatever the header made the codec allocate.
     */
    static final long DECODER_MAX_SIDE = 1L << 20;
    static final long DECODER_MAX_PIXELS = 1L << 30;

    private void checkPixels(Format format, ImageHeaders.Dimensions size) throws ImageRejectedException {
        if (size.width() > DECODER_MAX_SIDE || size.height() > DECODER_MAX_SIDE || size.pixels() > DECODER_MAX_PIXELS) {
            throw new ImageRejectedException(RejectReason.IMAGE_TOO_LARGE, String.format(
                    "The %s image is %dx%d pixels, larger than the decoder handles (%d pixels a side, %d in all). "
                            + "Downscale it before sending.", format, size.width(), size.height(), DECODER_MAX_SIDE,
                    DECODER_MAX_PIXELS));
        }
        if (size.pixels() > maxImagePixels) {
            throw new ImageRejectedException(RejectReason.IMAGE_TOO_LARGE, String.format(
                    "The %s image is %dx%d pixels, over the limit of %d pixels. Downscale it before sending, "
                            + "or raise the pixel limit.", format, size.width(), size.height(), maxImagePixels));
        }
        if (size.tilePixels() > maxImagePixels) {
            throw new ImageRejectedException(RejectReason.IMAGE_TOO_LARGE, String.format(
                    "The %s image is %dx%d pixels but is stored in tiles of %d pixels each, over the limit of %d "
                            + "pixels (a whole tile is decoded at once). Re-save it with smaller tiles.",
                    format, size.width(), size.height(), size.tilePixels(), maxImagePixels));
        }
    }

    static Format sniff(byte[] b) {
        if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
            return Format.JPEG;
        }
        if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Format.PNG;
        }
        if (startsWith(b, 'B', 'M')) {
            return Format.BMP;
        }
        if (startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return Format.WEBP;
        }
        if (startsWith(b, 'I', 'I', 0x2A, 0x00) || startsWith(b, 'M', 'M', 0x00, 0x2A)) {
            return Format.TIFF;
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return Format.PNM;
        }
        return null;
    }

    /**
     * libjpeg decodes a truncated JPEG without an error, filling the rest with grey, so it must
     * reach its end marker. libpng fails on a cut PNG by itself; walking it to IEND says why,
     * without decoding. Bytes after the end are left alone: phones append trailers, Motion
     * Photos a video.
     */
    private static boolean isTruncated(Format format, byte[] b) {
        return switch (format) {
            case JPEG -> !JpegMarkers.reachesEndOfImage(b);
            case PNG -> !pngReachesEnd(b);
            default -> false;
        };
    }

    /** Walks the chunks by their lengths (length, type, data, CRC) to IEND. */
    private static boolean pngReachesEnd(byte[] b) {
        ByteBuffer bytes = ByteBuffer.wrap(b);
        long at = 8;
        while (at + 8 <= b.length) {
            long length = bytes.getInt((int) at) & 0xFFFFFFFFL;
            if (bytes.getInt((int) at + 4) == IEND) {
                return at + 12 + length <= b.length;
            }
            at += 12 + length;
        }
        return false;
    }

    private static final int IEND = 'I' << 24 | 'E' << 16 | 'N' << 8 | 'D';

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(String message) {
        String text = String.valueOf(message).strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String hexPrefix(byte[] b) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            hex.append(String.format("%02x", b[i] & 0xFF));
        }
        return hex.toString();
    }
}
