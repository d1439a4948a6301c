package io.facestream.output;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.facestream.detect.DetectedFace;
import java.util.List;

/** The plain JSON line of the offline {@code detect} command: one image and its faces. */
public final class DetectionJson {

    private DetectionJson() {}

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
