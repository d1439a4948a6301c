package io.facestream.output;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.facestream.detect.DetectedFace;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain JSON line of the offline {@code detect} command: one image and its faces; and the
 * reading of detection lines back, in that layout or as the result records' JSON ({@link OutputRecords}).
 */
public final class DetectionJson {

    /** Landmark fields of the result record, in {@link DetectedFace}'s order. */
    private static final String[] LANDMARK_FIELDS = {"leftEye", "rightEye", "nose", "leftMouthCorner", "rightMouthCorner"};

    /** An image's name (detect: its path under the input folder; results: the event id) and its faces. */
    public record ImageFaces(String image, List<DetectedFace> faces) {}

    private DetectionJson() {}

    /**
     * One line of a {@code detections.jsonl}: {@code detect}'s {@code {image, faces: [{score, box: [x1, y1, x2, y2],
     * landmarks: [[x, y] x5]}]}}, or a result record's {@code {eventId, faces: [{score, box: {x1, ...}, landmarks:
     * {leftEye: {x, y}, ...}}]}}.
     */
    public static ImageFaces parse(String line) {
        JsonObject json;
        try {
            json = JsonParser.parseString(line).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a JSON object: " + abbreviate(line), e);
        }
        JsonElement name = json.has("image") ? json.get("image") : json.get("eventId");
        JsonElement faces = json.get("faces");
        if (name == null || !name.isJsonPrimitive() || faces == null || !faces.isJsonArray()) {
            throw new IllegalArgumentException("a detection line has an \"image\" (or \"eventId\") and a \"faces\" array: "
                    + abbreviate(line));
        }
        List<DetectedFace> parsed = new ArrayList<>();
        for (JsonElement face : faces.getAsJsonArray()) {
            parsed.add(face(face.getAsJsonObject()));
        }
        return new ImageFaces(name.getAsString(), parsed);
    }

    private static DetectedFace face(JsonObject face) {
        JsonElement box = face.get("box");
        float[] corners = new float[4];
        if (box.isJsonArray()) {
            for (int i = 0; i < 4; i++) {
                corners[i] = box.getAsJsonArray().get(i).getAsFloat();
            }
        } else {
            JsonObject named = box.getAsJsonObject();
            corners = new float[] {named.get("x1").getAsFloat(), named.get("y1").getAsFloat(),
                named.get("x2").getAsFloat(), named.get("y2").getAsFloat()};
        }
        JsonElement marks = face.get("landmarks");
        float[] landmarks = new float[2 * DetectedFace.LANDMARK_COUNT];
        for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
            if (marks.isJsonArray()) {
                JsonArray point = marks.getAsJsonArray().get(p).getAsJsonArray();
                landmarks[2 * p] = point.get(0).getAsFloat();
                landmarks[2 * p + 1] = point.get(1).getAsFloat();
            } else {
                JsonObject point = marks.getAsJsonObject().getAsJsonObject(LANDMARK_FIELDS[p]);
                landmarks[2 * p] = point.get("x").getAsFloat();
                landmarks[2 * p + 1] = point.get("y").getAsFloat();
            }
        }
        return new DetectedFace(face.get("score").getAsFloat(), corners[0], corners[1], corners[2], corners[3], landmarks);
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    public static JsonObject image(String image, int width, int height, List<DetectedFace> faces) {
        JsonObject json = new JsonObject();
        json.addProperty("image", image);
        json.addProperty("width", width);
        json.addProperty("height", height);
        JsonArray array = new JsonArray();
        for (DetectedFace face : faces) {
            array.add(face(face));
        }
        json.add("faces", array);
        return json;
    }

    public static JsonObject face(DetectedFace face) {
        JsonObject json = new JsonObject();
        json.addProperty("score", round(face.score(), 5));
        JsonArray box = new JsonArray();
        for (float v : new float[] {face.x1(), face.y1(), face.x2(), face.y2()}) {
            box.add(round(v, 2));
        }
        json.add("box", box);
        JsonArray landmarks = new JsonArray();
        for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
            JsonArray point = new JsonArray();
            point.add(round(face.landmarkX(p), 2));
            point.add(round(face.landmarkY(p), 2));
            landmarks.add(point);
        }
        json.add("landmarks", landmarks);
        return json;
    }

    private static double round(float value, int decimals) {
        double factor = Math.pow(10, decimals);
        return Math.round(value * factor) / factor;
    }
}
