package io.facestream.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes each of {@link ImageBombs} in this process and prints how far the process's peak
 * resident memory (VmHWM, reset through /proc/self/clear_refs before each decode) rose above its
 * resident memory: once through a decoder with the pixel limit, which must refuse the bomb, then,
 * as a control, through one without a limit, which shows what decoding the bomb costs and that
 * the measurement sees it.
 *
 * <p>Run it as {@link FreshJvm} does, with {@code MALLOC_MMAP_THRESHOLD_=131072} in the environment
 * (see there why). {@link ImageBombTest} does; by hand, with the real limits:
 * <pre>
 * MALLOC_MMAP_THRESHOLD_=131072 java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
 *     -cp TEST_CLASSPATH io.facestream.detect.BombPeakMemory 16383 64000000
 * </pre>
 * Output: one tab-separated line per bomb, starting with {@value #ROW}.
 */
public final class BombPeakMemory {

    static final String ROW = "BOMB";
    private static final double MEGABYTE = 1024 * 1024;

    /** One bomb: its file, its header's size, and both decodes' outcome and peak growth. */
    record Row(String name, long fileBytes, long width, long height, long tilePixels, String refused,
               long refusedGrowthKb, String decoded, long decodedGrowthKb) {

        static Row parse(String[] fields) {
            return new Row(fields[0], Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]),
                    Long.parseLong(fields[4]), fields[5], Long.parseLong(fields[6]), fields[7], Long.parseLong(fields[8]));
        }

        /** The most pixels decoded into one buffer: the image, or a TIFF tile larger than it. */
        long pixelsAtOnce() {
            return Math.max(width * height, tilePixels);
        }

        String print() {
            return String.join("\t", ROW, name, String.valueOf(fileBytes), String.valueOf(width), String.valueOf(height),
                    String.valueOf(tilePixels), refused, String.valueOf(refusedGrowthKb), decoded, String.valueOf(decodedGrowthKb));
        }
    }

    private BombPeakMemory() {}

    public static void main(String[] args) throws Exception {
        int side = Integer.parseInt(args[0]);
        long pixelLimit = Long.parseLong(args[1]);
        // The byte limit is not what is measured here: a P4 bitmap of 16383x16383 has 33 MB.
        ImageDecoder limited = new ImageDecoder(Long.MAX_VALUE, pixelLimit);
        ImageDecoder unlimited = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        ImageDecoder tiny = new ImageDecoder(Long.MAX_VALUE, 64 * 64 - 1);
        for (byte[] small : ImageBombs.all(64).values()) {
            // Codecs set up their tables, and the JVM loads the classes of both paths, on first use:
            // that is not the bomb's cost.
            decode(unlimited, small);
            decode(tiny, small);
        }
        Map<String, byte[]> bombs = ImageBombs.all(side);
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, byte[]> bomb : bombs.entrySet()) {
            byte[] bytes = bomb.getValue();
            ImageHeaders.Dimensions declared = ImageHeaders.read(ImageDecoder.sniff(bytes), bytes);
            Measured refused = measure(limited, bytes);
            Measured decoded = measure(unlimited, bytes);
            Row row = new Row(bomb.getKey(), bytes.length, declared.width(), declared.height(), declared.tilePixels(),
                    refused.outcome(), refused.peakGrowthKb(), decoded.outcome(), decoded.peakGrowthKb());
            rows.add(row);
            System.out.println(row.print());
        }
        System.out.println(table(rows, pixelLimit));
    }

    static String table(List<Row> rows, long pixelLimit) {
        StringBuilder table = new StringBuilder(String.format("%-30s %10s %13s %9s %13s %13s%n",
                "bomb", "file bytes", "declared", "BGR MB", "refused: MB", "decoded: MB"));
        for (Row row : rows) {
            boolean tiled = row.tilePixels() > row.width() * row.height();
            table.append(String.format("%-30s %10d %13s %9.0f %13.2f %13.0f%n", row.name(), row.fileBytes(),
                    row.width() + "x" + row.height() + (tiled ? "*" : ""), row.pixelsAtOnce() * 3 / MEGABYTE,
                    row.refusedGrowthKb() / 1024.0, row.decodedGrowthKb() / 1024.0));
        }
        return table.append(String.format("Limit %d pixels. BGR MB: the pixels decoded into one buffer (* a tile as wide and "
                + "high as the others), 3 bytes each. refused, decoded: peak resident memory growth while the limited "
                + "decoder refuses the bomb, and while an unlimited one decodes it.", pixelLimit)).toString();
    }

    private record Measured(String outcome, long peakGrowthKb) {}

    private static Measured measure(ImageDecoder decoder, byte[] bytes) {
        ResidentMemory.resetPeak();
        long resident = ResidentMemory.residentKb();
        String outcome = decode(decoder, bytes);
        return new Measured(outcome, ResidentMemory.peakKb() - resident);
    }

    /** "DECODED WxH", or the rejection's reason. */
    private static String decode(ImageDecoder decoder, byte[] bytes) {
        try (DecodedImage image = decoder.decode(bytes, null)) {
            return "DECODED " + image.width() + "x" + image.height();
        } catch (ImageRejectedException e) {
            return e.reason().name();
        }
    }
}
