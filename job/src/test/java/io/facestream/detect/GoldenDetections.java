package io.facestream.detect;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The independent reference detections shipped in testdata/golden/, and the agreement check. */
public final class GoldenDetections {

    public record Image(int width, int height, List<DetectedFace> faces) {}

    /** How close detections must be to a reference: box IoU, landmark distance, score difference. */
    public record Tolerance(float minBoxIou, float maxLandmarkPx, float maxScoreDiff) {}

    public static final float MIN_SCORE = 0.5f;
    /** Same model, pre-processing reimplemented with another resize: a pixel or two. */
    public static final Tolerance LETTERBOX_REFERENCE = new Tolerance(0.95f, 2f, 0.01f);
    /**
     * The build's int8 copy of the model (the default on a CPU) against the fp32 reference:
     * quantization moves a box edge or a landmark by a pixel or two, a score by a few hundredths.
     */
    public static final Tolerance INT8_REFERENCE = new Tolerance(0.9f, 3f, 0.05f);
    /** Same model and pre-processing as the seed's own code. */
    public static final Tolerance SEED_PARITY = new Tolerance(0.98f, 1f, 0.002f);

    private GoldenDetections() {}

    public static Path testdata() {
        return Path.of(System.getProperty("facestream.testdata", "../testdata")).toAbsolutePath().normalize();
    }

    /** The team's shared folder beside the repository, or null where it is absent. */
    public static Path shared() {
        Path shared = Path.of(System.getProperty("facestream.shared", "../../shared")).toAbsolutePath().normalize();
        return Files.isDirectory(shared) ? shared : null;
    }

    public static Map<String, Image> load() throws IOException {
        return load(testdata().resolve("golden/mnet25_v2_letterbox640.json"));
    }

    public static Map<String, Image> load(Path file) throws IOException {
        Map<String, Image> images = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
            for (Map.Entry<String, JsonElement> entry : root.entrySet()) {
                JsonObject image = entry.getValue().getAsJsonObject();
                List<DetectedFace> faces = new ArrayList<>();
                for (JsonElement f : image.getAsJsonArray("faces")) {
                    JsonObject face = f.getAsJsonObject();
                    JsonArray box = face.getAsJsonArray("box");
                    float[] landmarks = new float[10];
                    JsonArray points = face.getAsJsonArray("landmarks");
                    for (int p = 0; p < 5; p++) {
                        landmarks[2 * p] = points.get(p).getAsJsonArray().get(0).getAsFloat();
                        landmarks[2 * p + 1] = points.get(p).getAsJsonArray().get(1).getAsFloat();
                    }
                    faces.add(new DetectedFace(face.get("score").getAsFloat(), box.get(0).getAsFloat(),
                            box.get(1).getAsFloat(), box.get(2).getAsFloat(), box.get(3).getAsFloat(), landmarks));
                }
                images.put(entry.getKey(), new Image(image.get("width").getAsInt(), image.get("height").getAsInt(), faces));
            }
        }
        return images;
    }

    public static List<String> disagreements(String image, List<DetectedFace> expected, List<DetectedFace> actual) {
        return disagreements(image, expected, actual, LETTERBOX_REFERENCE);
    }

    /**
     * Lists every disagreement between actual and expected faces at score >= 0.5: a missing or
     * extra face, a box IoU, landmark distance or score difference outside the tolerance.
     */
    public static List<String> disagreements(String image, List<DetectedFace> expected, List<DetectedFace> actual,
                                             Tolerance tolerance) {
        List<String> problems = new ArrayList<>();
        List<DetectedFace> confident = actual.stream().filter(f -> f.score() >= MIN_SCORE).toList();
        List<DetectedFace> unmatched = new ArrayList<>(confident);
        for (DetectedFace want : expected) {
            DetectedFace best = null;
            for (DetectedFace got : unmatched) {
                if (best == null || want.iou(got) > want.iou(best)) {
                    best = got;
                }
            }
            if (best == null || want.iou(best) < tolerance.minBoxIou()) {
                problems.add(image + ": no face matches " + want + (best == null ? "" : " (best IoU " + want.iou(best) + ")"));
                continue;
            }
            unmatched.remove(best);
            if (Math.abs(best.score() - want.score()) > tolerance.maxScoreDiff()) {
                problems.add(image + ": score " + best.score() + " vs reference " + want.score());
            }
            for (int p = 0; p < 5; p++) {
                double d = Math.hypot(best.landmarkX(p) - want.landmarkX(p), best.landmarkY(p) - want.landmarkY(p));
                if (d > tolerance.maxLandmarkPx()) {
                    problems.add(String.format("%s: landmark %d is %.2f px from the reference", image, p, d));
                }
            }
        }
        for (DetectedFace extra : unmatched) {
            problems.add(image + ": extra face " + extra);
        }
        return problems;
    }
}
