package io.facestream.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Feeds the decoder damaged images of every accepted format, made from a fixed seed: mutations of
 * valid files (bit flips anywhere, among the first bytes where the sizes are and among the last
 * where a TIFF directory and the end markers are, bytes set to edge values, truncations, inserted
 * and appended bytes, random bodies behind the magic number) and random bytes. Prints, for
 * {@link ImageDecoderFuzzTest}, every case that did not end as it must: decoded at the size its
 * header declares and within the pixel limit, or rejected with a reason and a message. Also the
 * largest rise of peak resident memory over one case, which stays small only if no case got a
 * buffer past the limit.
 */
public final class ImageDecoderFuzz {

    static final String FAILURE = "FAILURE";
    static final String DECODED = "DECODED";
    static final String REJECTED = "REJECTED";
    static final String SUMMARY = "SUMMARY";

    static final long SEED = 12L;

    static {
        Natives.loadOpenCv();
    }
    /** Far above the valid images (48x64), far below what a mangled size field declares. */
    static final long PIXEL_LIMIT = 200_000;
    /** Decoding at the limit costs a few megabytes (WebP and TIFF buffer up to 11 bytes a pixel). */
    private static final String UNCHANGED = "unchanged";

    private final ImageDecoder decoder = new ImageDecoder(1024 * 1024, PIXEL_LIMIT);

    public static void main(String[] args) throws IOException {
        Outcomes outcomes = new ImageDecoderFuzz().run();
        outcomes.failures.forEach(failure -> System.out.println(FAILURE + "\t" + failure.replaceAll("\\s+", " ")));
        outcomes.decodedByImage.forEach((image, count) -> System.out.println(DECODED + "\t" + image + "\t" + count));
        outcomes.counts.forEach((reason, count) -> System.out.println(REJECTED + "\t" + reason + "\t" + count));
        System.out.println(String.join("\t", SUMMARY, String.valueOf(outcomes.cases), String.format("%.1f", outcomes.seconds),
                String.valueOf(outcomes.largestPeakGrowthKb), String.valueOf(outcomes.largestPeakGrowthCase)));
    }

    static Map<String, byte[]> validImages() throws IOException {
        Mat photo = new Mat();
        Imgproc.resize(TestImages.decode("Chris.jpeg"), photo, new Size(48, 64));
        Mat grey = new Mat();
        Imgproc.cvtColor(photo, grey, Imgproc.COLOR_BGR2GRAY);
        Mat wide = new Mat();
        grey.convertTo(wide, CvType.CV_16U, 257);
        Mat withAlpha = new Mat();
        Imgproc.cvtColor(photo, withAlpha, Imgproc.COLOR_BGR2BGRA);
        Map<String, byte[]> images = new LinkedHashMap<>();
        images.put("JPEG", TestImages.encode(".jpg", photo));
        images.put("JPEG progressive", TestImages.encode(".jpg", photo, Imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1));
        images.put("JPEG restart intervals", TestImages.encode(".jpg", photo, Imgcodecs.IMWRITE_JPEG_RST_INTERVAL, 2));
        images.put("JPEG with EXIF orientation", TestImages.withExifOrientation(TestImages.encode(".jpg", photo), 6));
        images.put("PNG", TestImages.encode(".png", withAlpha));
        images.put("PNG 16-bit grey", TestImages.encode(".png", wide));
        images.put("BMP", TestImages.encode(".bmp", photo));
        images.put("BMP RLE8", ImageBombs.bmpRle8(64));
        images.put("WebP lossy", TestImages.encode(".webp", photo));
        images.put("WebP lossless", TestImages.encode(".webp", photo, Imgcodecs.IMWRITE_WEBP_QUALITY, 101));
        images.put("WebP lossy with alpha (VP8X)", TestImages.encode(".webp", withAlpha));
        images.put("TIFF", TestImages.encode(".tiff", photo));
        images.put("TIFF tiled", ImageBombs.tiffTile(40, 48));
        images.put("PPM", TestImages.encode(".ppm", photo));
        images.put("PGM 16-bit", TestImages.encode(".pgm", wide));
        images.put("PBM", TestImages.encode(".pbm", grey));
        images.put("PPM ASCII", TestImages.encode(".ppm", photo, Imgcodecs.IMWRITE_PXM_BINARY, 0));
        return images;
    }

    private Outcomes run() throws IOException {
        Map<String, byte[]> valid = validImages();
        Random random = new Random(SEED);
        Outcomes outcomes = new Outcomes();
        long started = System.nanoTime();
        for (Map.Entry<String, byte[]> image : valid.entrySet()) {
            byte[] original = image.getValue();
            outcomes.check(image.getKey(), UNCHANGED, original);
            for (int i = 0; i < 100; i++) {
                outcomes.check(image.getKey(), "bits flipped", flipBits(original, random, 0, original.length));
            }
            for (int i = 0; i < 60; i++) {
                outcomes.check(image.getKey(), "header bits flipped", flipBits(original, random, 0, Math.min(64, original.length)));
            }
            for (int i = 0; i < 40; i++) {
                int from = Math.max(0, original.length - 256);
                outcomes.check(image.getKey(), "tail bits flipped", flipBits(original, random, from, original.length));
            }
            for (int i = 0; i < 60; i++) {
                outcomes.check(image.getKey(), "edge value", setEdgeValue(original, random));
            }
            for (int i = 0; i < 60; i++) {
                outcomes.check(image.getKey(), "truncated", Arrays.copyOf(original, random.nextInt(original.length)));
            }
            for (int i = 0; i < 20; i++) {
                outcomes.check(image.getKey(), "bytes inserted", insertBytes(original, random));
            }
            for (int i = 0; i < 20; i++) {
                outcomes.check(image.getKey(), "data appended", appendBytes(original, random));
            }
            for (int i = 0; i < 20; i++) {
                outcomes.check(image.getKey(), "random body", randomBody(original, random));
            }
        }
        for (int i = 0; i < 200; i++) {
            byte[] noise = new byte[1 + random.nextInt(2000)];
            random.nextBytes(noise);
            outcomes.check("random bytes", "", noise);
        }
        outcomes.seconds = (System.nanoTime() - started) / 1e9;
        return outcomes;
    }

    private final class Outcomes {
        final List<String> failures = new ArrayList<>();
        final Map<RejectReason, Integer> counts = new EnumMap<>(RejectReason.class);
        final Map<String, Integer> decodedByImage = new LinkedHashMap<>();
        int cases;
        long largestPeakGrowthKb;
        String largestPeakGrowthCase;
        double seconds;

        void check(String original, String mutation, byte[] bytes) {
            String description = original + ", " + mutation;
            cases++;
            ResidentMemory.resetPeak();
            long resident = ResidentMemory.residentKb();
            try (DecodedImage image = decoder.decode(bytes, null)) {
                checkSize(description, bytes, image);
                if (!mutation.equals(UNCHANGED)) {
                    decodedByImage.merge(original, 1, Integer::sum);
                }
            } catch (ImageRejectedException e) {
                counts.merge(e.reason(), 1, Integer::sum);
                if (mutation.equals(UNCHANGED)) {
                    failures.add(description + ": the valid image was rejected: " + e.getMessage());
                }
                if (e.reason() == null || e.getMessage() == null || e.getMessage().isBlank()) {
                    failures.add(description + ": rejected without a reason or message");
                }
            } catch (Throwable e) {
                failures.add(description + ": " + e);
            }
            long growthKb = ResidentMemory.peakKb() - resident;
            if (growthKb > largestPeakGrowthKb) {
                largestPeakGrowthKb = growthKb;
                largestPeakGrowthCase = description;
            }
        }

        /** What OpenCV allocated is what the header declared (turned a quarter by an orientation tag). */
        private void checkSize(String description, byte[] bytes, DecodedImage image) {
            ImageHeaders.Dimensions declared = ImageHeaders.read(ImageDecoder.sniff(bytes), bytes);
            boolean asDeclared = image.width() == declared.width() && image.height() == declared.height();
            boolean turned = image.width() == declared.height() && image.height() == declared.width();
            if (!(asDeclared || turned)) {
                failures.add(description + ": decoded " + image.width() + "x" + image.height() + ", header says " + declared);
            }
            if ((long) image.width() * image.height() > PIXEL_LIMIT) {
                failures.add(description + ": decoded " + image.width() + "x" + image.height() + ", over the limit");
            }
        }
    }

    private static byte[] flipBits(byte[] original, Random random, int from, int to) {
        byte[] mutated = original.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
            mutated[from + random.nextInt(to - from)] ^= (byte) (1 << random.nextInt(8));
        }
        return mutated;
    }

    private static final int[] EDGE_VALUES = {0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE};

    private static byte[] setEdgeValue(byte[] original, Random random) {
        byte[] mutated = original.clone();
        int at = random.nextBoolean() ? random.nextInt(Math.min(64, original.length)) : random.nextInt(original.length);
        int run = 1 + random.nextInt(4);
        for (int i = at; i < Math.min(original.length, at + run); i++) {
            mutated[i] = (byte) EDGE_VALUES[random.nextInt(EDGE_VALUES.length)];
        }
        return mutated;
    }

    private static byte[] insertBytes(byte[] original, Random random) {
        int at = random.nextInt(original.length);
        byte[] inserted = new byte[1 + random.nextInt(32)];
        random.nextBytes(inserted);
        byte[] mutated = new byte[original.length + inserted.length];
        System.arraycopy(original, 0, mutated, 0, at);
        System.arraycopy(inserted, 0, mutated, at, inserted.length);
        System.arraycopy(original, at, mutated, at + inserted.length, original.length - at);
        return mutated;
    }

    /** What phones and cameras append after the image: trailers, a video, padding. */
    private static byte[] appendBytes(byte[] original, Random random) {
        byte[] appended = new byte[1 + random.nextInt(3000)];
        random.nextBytes(appended);
        byte[] mutated = Arrays.copyOf(original, original.length + appended.length);
        System.arraycopy(appended, 0, mutated, original.length, appended.length);
        return mutated;
    }

    /** The first bytes (magic number, often the start of the header), then noise. */
    private static byte[] randomBody(byte[] original, Random random) {
        int kept = Math.min(original.length, 2 + random.nextInt(30));
        byte[] mutated = Arrays.copyOf(original, kept + random.nextInt(4000));
        byte[] noise = new byte[mutated.length - kept];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, mutated, kept, noise.length);
        return mutated;
    }
}
