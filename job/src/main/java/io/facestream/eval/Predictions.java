package io.facestream.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Detections in the WIDER FACE submission layout: {@code DIR/<event>/<name>.txt} for the image
 * {@code <event>/<name>.jpg}, holding the image name, the detection count, then one
 * {@code x y w h score} line per detection (further values on a line are ignored).
 *
 * @param boxes per ground-truth image (as the ground truth names it), its detections as
 *     {@code {x, y, w, h, score}}, highest score first (a stable sort: ties keep the file's order);
 *     an image without a file has none
 * @param missing the ground-truth images that have no prediction file, in the ground truth's order
 * @param files prediction files read
 * @param strayFiles {@code .txt} files under the folder that name no ground-truth image (not read)
 */
public record Predictions(Map<String, double[][]> boxes, List<String> missing, int files, int strayFiles) {

    private static final double[][] NONE = new double[0][];

    public Predictions {
        Map<String, double[][]> sorted = new HashMap<>();
        boxes.forEach((image, detections) -> sorted.put(image, sortedByScore(detections)));
        boxes = Collections.unmodifiableMap(sorted);
        missing = List.copyOf(missing);
    }

    /** All detections read. */
    public int detections() {
        return boxes.values().stream().mapToInt(b -> b.length).sum();
    }

    /** The image's detections, none when it had no file. */
    public double[][] of(String image) {
        return boxes.getOrDefault(image, NONE);
    }

    /** Reads the prediction file of every image of the ground truth; a malformed file fails with its name and line. */
    public static Predictions read(Path dir, GroundTruth groundTruth) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a folder");
        }
        Map<String, double[][]> boxes = new HashMap<>();
        List<String> missing = new ArrayList<>();
        Set<Path> expected = new HashSet<>();
        int files = 0;
        for (GroundTruthImage image : groundTruth.images()) {
            Path file = dir.resolve(image.key() + ".txt").normalize();
            expected.add(file.toAbsolutePath());
            if (Files.isRegularFile(file)) {
                boxes.put(image.image(), readFile(file));
                files++;
            } else {
                missing.add(image.image());
            }
        }
        int stray;
        try (Stream<Path> all = Files.walk(dir)) {
            stray = (int) all.filter(p -> p.getFileName().toString().endsWith(".txt") && Files.isRegularFile(p))
                    .filter(p -> !expected.contains(p.normalize().toAbsolutePath()))
                    .count();
        }
        return new Predictions(boxes, missing, files, stray);
    }

    /** One prediction file's detections, in the file's order. */
    static double[][] readFile(Path file) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.size() < 2) {
            throw new IllegalArgumentException(file + ": expected the image name and the detection count on the first two lines");
        }
        int count;
        try {
            count = Integer.parseInt(lines.get(1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + " line 2: expected the detection count, found '" + lines.get(1).trim() + "'");
        }
        if (count != lines.size() - 2) {
            throw new IllegalArgumentException(file + ": says " + count + " detection(s) on line 2 but has "
                    + (lines.size() - 2) + " detection line(s)");
        }
        double[][] detections = new double[count][];
        for (int i = 0; i < count; i++) {
            String line = lines.get(i + 2).trim();
            String[] tokens = line.split("\\s+");
            String where = file + " line " + (i + 3);
            if (tokens.length < 5) {
                throw new IllegalArgumentException(where + ": expected 'x y w h score', found '" + line + "'");
            }
            double[] detection = new double[5];
            for (int t = 0; t < 5; t++) {
                try {
                    detection[t] = Double.parseDouble(tokens[t]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + tokens[t] + "' is not a number");
                }
                if (!Double.isFinite(detection[t])) {
                    throw new IllegalArgumentException(where + ": '" + tokens[t] + "' is not a finite number");
                }
            }
            detections[i] = detection;
        }
        return detections;
    }

    /**
     * A copy, highest score first. WIDER's own evaluation sorts each image's detections so; a stable
     * sort leaves a file already in that order (as detect writes it) as it is.
     */
    private static double[][] sortedByScore(double[][] detections) {
        double[][] sorted = detections.clone();
        for (double[] detection : sorted) {
            if (detection.length < 5) {
                throw new IllegalArgumentException("a detection is {x, y, w, h, score}, got " + Arrays.toString(detection));
            }
        }
        Arrays.sort(sorted, (a, b) -> Double.compare(b[4], a[4]));
        return sorted;
    }
}
