package io.facestream.eval;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a tracker should report on a sequence of frames: per frame (in event-time order) the faces
 * it shows, each with its identity and box; and the order in which the frames are sent.
 *
 * @param width frame width in pixels
 * @param height frame height in pixels
 * @param identities the people of the sequence, in the order they were placed
 * @param frames every frame, in event-time order, including frames without a face
 * @param arrivalOrder the frames' event ids in the order they are to be sent (a permutation of the frames)
 */
public record TrackingGroundTruth(int width, int height, List<Identity> identities, List<Frame> frames,
                                  List<String> arrivalOrder) {

    /**
     * @param id the identity, e.g. the photo's name
     * @param photo the test photo the face was cut from
     * @param faceHeight the height the face was scaled to, pixels
     * @param path how it moves, in words
     */
    public record Identity(String id, String photo, int faceHeight, String path) {}

    /**
     * @param index the frame's position in event time, from 0
     * @param eventId the frame's event id: its file name
     * @param eventTimeMillis its event time, milliseconds since the epoch
     * @param faces the faces drawn in it
     * @param hidden identities present in the sequence but not drawn in this frame while they are mid-path
     */
    public record Frame(int index, String eventId, long eventTimeMillis, List<Face> faces, List<String> hidden) {
        public Frame {
            faces = List.copyOf(faces);
            hidden = List.copyOf(hidden);
        }
    }

    /**
     * A face as drawn: its box (top-left x1, y1; bottom-right x2, y2; the frame's pixels) and the
     * share of that box not covered by faces drawn over it.
     */
    public record Face(String id, double x1, double y1, double x2, double y2, double visibility) {

        public double iou(double ox1, double oy1, double ox2, double oy2) {
            return TrackingGroundTruth.iou(x1, y1, x2, y2, ox1, oy1, ox2, oy2);
        }
    }

    public TrackingGroundTruth {
        identities = List.copyOf(identities);
        frames = List.copyOf(frames);
        arrivalOrder = List.copyOf(arrivalOrder);
        Set<String> ids = new HashSet<>();
        for (Frame frame : frames) {
            if (!ids.add(frame.eventId())) {
                throw new IllegalArgumentException("frame " + frame.eventId() + " is listed twice");
            }
        }
        if (!arrivalOrder.isEmpty() && !(arrivalOrder.size() == frames.size() && ids.containsAll(arrivalOrder)
                && new HashSet<>(arrivalOrder).size() == arrivalOrder.size())) {
            throw new IllegalArgumentException("the arrival order must list every frame once");
        }
    }

    /** Intersection over union of two boxes in continuous pixel coordinates; 0 when either is empty. */
    public static double iou(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2) {
        double w = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        double h = Math.min(ay2, by2) - Math.max(ay1, by1);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double intersection = w * h;
        double union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    /**
     * Writes it as JSON: the header fields first, then one frame per line, so that a diff or a reader
     * finds a frame by its line.
     */
    public void write(Path file) throws IOException {
        Gson gson = new Gson();
        StringBuilder out = new StringBuilder("{\"width\":").append(width).append(",\"height\":").append(height)
                .append(",\n\"identities\":[");
        for (int i = 0; i < identities.size(); i++) {
            out.append(i == 0 ? "\n  " : ",\n  ").append(gson.toJson(identities.get(i)));
        }
        out.append("\n],\n\"frames\":[");
        for (int i = 0; i < frames.size(); i++) {
            out.append(i == 0 ? "\n  " : ",\n  ").append(gson.toJson(frameJson(frames.get(i))));
        }
        out.append("\n],\n\"arrivalOrder\":").append(gson.toJson(arrivalOrder)).append("}\n");
        Files.writeString(file, out, StandardCharsets.UTF_8);
    }

    private static JsonObject frameJson(Frame frame) {
        JsonObject object = new JsonObject();
        object.addProperty("index", frame.index());
        object.addProperty("eventId", frame.eventId());
        object.addProperty("eventTime", frame.eventTimeMillis());
        JsonArray faces = new JsonArray();
        for (Face face : frame.faces()) {
            JsonObject f = new JsonObject();
            f.addProperty("id", face.id());
            JsonArray box = new JsonArray();
            for (double v : new double[] {face.x1(), face.y1(), face.x2(), face.y2()}) {
                box.add(rounded(v, 2));
            }
            f.add("box", box);
            f.addProperty("visibility", rounded(face.visibility(), 3));
            faces.add(f);
        }
        object.add("faces", faces);
        JsonArray hidden = new JsonArray();
        frame.hidden().forEach(hidden::add);
        object.add("hidden", hidden);
        return object;
    }

    /** The value as the file holds it: boxes to 0.01 pixel, visibility to 0.001. */
    static double rounded(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    /** Reads a file {@link #write} wrote; a malformed one fails naming the file and what is wrong. */
    public static TrackingGroundTruth read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            JsonObject root = JsonParser.parseString(text).getAsJsonObject();
            List<Identity> identities = new ArrayList<>();
            for (JsonElement element : root.getAsJsonArray("identities")) {
                identities.add(new Gson().fromJson(element, Identity.class));
            }
            List<Frame> frames = new ArrayList<>();
            for (JsonElement element : root.getAsJsonArray("frames")) {
                JsonObject frame = element.getAsJsonObject();
                List<Face> faces = new ArrayList<>();
                for (JsonElement f : frame.getAsJsonArray("faces")) {
                    JsonObject face = f.getAsJsonObject();
                    JsonArray box = face.getAsJsonArray("box");
                    faces.add(new Face(face.get("id").getAsString(), box.get(0).getAsDouble(), box.get(1).getAsDouble(),
                            box.get(2).getAsDouble(), box.get(3).getAsDouble(), face.get("visibility").getAsDouble()));
                }
                List<String> hidden = new ArrayList<>();
                frame.getAsJsonArray("hidden").forEach(h -> hidden.add(h.getAsString()));
                frames.add(new Frame(frame.get("index").getAsInt(), frame.get("eventId").getAsString(),
                        frame.get("eventTime").getAsLong(), faces, hidden));
            }
            List<String> arrival = new ArrayList<>();
            root.getAsJsonArray("arrivalOrder").forEach(e -> arrival.add(e.getAsString()));
            return new TrackingGroundTruth(root.get("width").getAsInt(), root.get("height").getAsInt(), identities, frames, arrival);
        } catch (JsonParseException | IllegalStateException | NullPointerException | IndexOutOfBoundsException
                 | UnsupportedOperationException | NumberFormatException e) {
            throw new IllegalArgumentException(file + ": not a tracking ground truth (" + e + ")", e);
        }
    }
}
