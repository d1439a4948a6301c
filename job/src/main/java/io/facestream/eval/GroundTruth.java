package io.facestream.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * WIDER FACE ground truth: every image's faces and, per level, which of them count.
 *
 * <p>Two layouts are read, told apart by the file's name ({@code .jsonl}/{@code .json}) or, failing
 * that, by its first character ({@code {}):
 * <ul>
 *   <li>jsonl: a header line {@code {"columns": [...], ...}}, then one
 *       {@code {"image": "<event>/<name>.jpg", "faces": [[...], ...]}} line per image, each face a row
 *       of the header's columns. {@code x y w h} give the box; the columns {@code in_easy},
 *       {@code in_medium} and {@code in_hard}, where present, are the keep-lists (0: the face is
 *       ignored at that level);</li>
 *   <li>the official text layout ({@code wider_face_val_bbx_gt.txt}): the image's path, the face count,
 *       then {@code x y w h blur expression illumination invalid occlusion pose} per face; an image
 *       with no faces has one line of zeros after its count 0, which is skipped.</li>
 * </ul>
 * Keep-list files ({@link KeepLists}), one per level, replace the jsonl's columns and are the only
 * source of keep-lists for the text layout. Without keep-lists every face counts at every level.
 *
 * @param images the images in the file's order
 * @param layout {@code jsonl} or {@code text}
 * @param keepListSource where the keep-lists came from, or {@code null} when there were none
 */
public record GroundTruth(List<GroundTruthImage> images, String layout, String keepListSource) {

    public GroundTruth {
        images = List.copyOf(images);
    }

    public boolean hasKeepLists() {
        return keepListSource != null;
    }

    /** All faces, kept or not. */
    public int faces() {
        return images.stream().mapToInt(image -> image.boxes().length).sum();
    }

    /**
     * @param keepListFiles a keep-list file for every level, or an empty map
     */
    public static GroundTruth read(Path file, Map<Level, Path> keepListFiles) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        if (!keepListFiles.isEmpty() && keepListFiles.size() != Level.values().length) {
            throw new IllegalArgumentException("keep-lists: give one for each of easy, medium and hard, or none (got "
                    + keepListFiles.keySet().stream().map(Level::label).toList() + ")");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".mat")) {
            throw new IllegalArgumentException(file + ": MAT-file ground truth is not read; give the text layout"
                    + " (wider_face_val_bbx_gt.txt) with --easy/--medium/--hard, or gt.jsonl");
        }
        boolean jsonl = name.endsWith(".jsonl") || name.endsWith(".json") || firstCharacter(file) == '{';
        List<Raw> raws = jsonl ? readJsonl(file) : readText(file);

        Set<String> seen = new HashSet<>();
        for (Raw raw : raws) {
            if (!seen.add(WiderNames.key(raw.image))) {
                throw new IllegalArgumentException(file + ": image " + raw.image + " appears twice");
            }
        }

        String keepListSource = null;
        if (!keepListFiles.isEmpty()) {
            Map<Level, KeepLists> lists = new EnumMap<>(Level.class);
            for (Level level : Level.values()) {
                lists.put(level, KeepLists.read(keepListFiles.get(level)));
            }
            for (Raw raw : raws) {
                raw.keep.clear();
                for (Level level : Level.values()) {
                    raw.keep.put(level, keepFlags(lists.get(level), raw));
                }
            }
            keepListSource = "keep-list files " + Level.EASY.label() + "=" + keepListFiles.get(Level.EASY) + ", "
                    + Level.MEDIUM.label() + "=" + keepListFiles.get(Level.MEDIUM) + ", "
                    + Level.HARD.label() + "=" + keepListFiles.get(Level.HARD);
        } else if (!raws.isEmpty() && raws.stream().allMatch(raw -> raw.keep.size() == Level.values().length)) {
            keepListSource = "columns in_easy, in_medium, in_hard of " + file.getFileName();
        } else {
            for (Raw raw : raws) {
                for (Level level : Level.values()) {
                    boolean[] all = new boolean[raw.boxes.size()];
                    Arrays.fill(all, true);
                    raw.keep.put(level, all);
                }
            }
        }
        List<GroundTruthImage> images = new ArrayList<>(raws.size());
        for (Raw raw : raws) {
            images.add(new GroundTruthImage(raw.image, raw.boxes.toArray(new double[0][]), raw.keep));
        }
        return new GroundTruth(images, jsonl ? "jsonl" : "text", keepListSource);
    }

    /** An image as read, before its keep flags are settled. */
    private static final class Raw {
        final String image;
        final List<double[]> boxes = new ArrayList<>();
        final Map<Level, boolean[]> keep = new EnumMap<>(Level.class);

        Raw(String image) {
            this.image = image;
        }
    }

    private static boolean[] keepFlags(KeepLists list, Raw raw) {
        int[] faces = list.faces(raw.image);
        if (faces == null) {
            throw new IllegalArgumentException(list.file() + ": no entry for image " + raw.image
                    + " of the ground truth (is it the keep-list of the same split?)");
        }
        boolean[] keep = new boolean[raw.boxes.size()];
        for (int face : faces) {
            if (face > keep.length) {
                throw new IllegalArgumentException(list.file() + ": face " + face + " of image " + raw.image
                        + ", which has " + keep.length + " face(s) in the ground truth");
            }
            keep[face - 1] = true;
        }
        return keep;
    }

    private static int firstCharacter(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int c;
            do {
                c = in.read();
            } while (c != -1 && Character.isWhitespace(c));
            return c;
        }
    }

    private static List<Raw> readJsonl(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Raw> images = new ArrayList<>();
        List<String> columns = null;
        int x = -1;
        int y = -1;
        int w = -1;
        int h = -1;
        Map<Level, Integer> flagColumns = new EnumMap<>(Level.class);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            JsonObject object;
            try {
                object = JsonParser.parseString(line).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new IllegalArgumentException(where + ": not a JSON object: " + e.getMessage());
            }
            if (columns == null) {
                if (!object.has("columns") || !object.get("columns").isJsonArray()) {
                    throw new IllegalArgumentException(where + ": the first line must be the header"
                            + " {\"columns\": [\"x\", \"y\", \"w\", \"h\", ...]}");
                }
                columns = new ArrayList<>();
                for (JsonElement column : object.getAsJsonArray("columns")) {
                    columns.add(column.getAsString());
                }
                x = columns.indexOf("x");
                y = columns.indexOf("y");
                w = columns.indexOf("w");
                h = columns.indexOf("h");
                if (x < 0 || y < 0 || w < 0 || h < 0) {
                    throw new IllegalArgumentException(where + ": the header's columns " + columns + " lack x, y, w or h");
                }
                for (Level level : Level.values()) {
                    int column = columns.indexOf("in_" + level.label());
                    if (column >= 0) {
                        flagColumns.put(level, column);
                    }
                }
                continue;
            }
            if (!object.has("image") || !object.has("faces") || !object.get("faces").isJsonArray()) {
                throw new IllegalArgumentException(where + ": expected {\"image\": ..., \"faces\": [...]}");
            }
            Raw raw = new Raw(object.get("image").getAsString());
            JsonArray faces = object.getAsJsonArray("faces");
            List<boolean[]> flags = new ArrayList<>();
            for (JsonElement element : faces) {
                if (!element.isJsonArray() || element.getAsJsonArray().size() != columns.size()) {
                    throw new IllegalArgumentException(where + ": a face of " + raw.image + " is not a row of the "
                            + columns.size() + " header columns: " + element);
                }
                double[] row = numbers(element.getAsJsonArray(), where + ": " + raw.image);
                raw.boxes.add(new double[] {row[x], row[y], row[w], row[h]});
                boolean[] faceFlags = new boolean[Level.values().length];
                for (Map.Entry<Level, Integer> column : flagColumns.entrySet()) {
                    faceFlags[column.getKey().ordinal()] = row[column.getValue()] != 0;
                }
                flags.add(faceFlags);
            }
            if (flagColumns.size() == Level.values().length) {
                for (Level level : Level.values()) {
                    boolean[] keep = new boolean[flags.size()];
                    for (int f = 0; f < keep.length; f++) {
                        keep[f] = flags.get(f)[level.ordinal()];
                    }
                    raw.keep.put(level, keep);
                }
            }
            images.add(raw);
        }
        if (columns == null) {
            throw new IllegalArgumentException(file + ": empty");
        }
        return images;
    }

    private static double[] numbers(JsonArray array, String where) {
        double[] row = new double[array.size()];
        for (int i = 0; i < row.length; i++) {
            JsonElement value = array.get(i);
            if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()) {
                row[i] = value.getAsBoolean() ? 1 : 0;
            } else if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
                row[i] = value.getAsDouble();
            } else {
                throw new IllegalArgumentException(where + ": face value " + value + " is not a number");
            }
        }
        return row;
    }

    private static List<Raw> readText(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Raw> images = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                i++;
                continue;
            }
            Raw raw = new Raw(line);
            i++;
            String countLine = i < lines.size() ? lines.get(i).trim() : "";
            int count;
            try {
                count = Integer.parseInt(countLine);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected the face count of "
                        + raw.image + ", found '" + countLine + "'");
            }
            if (count < 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": negative face count " + count);
            }
            i++;
            for (int f = 0; f < count; f++, i++) {
                double[] values = i < lines.size() ? boxLine(lines.get(i)) : null;
                if (values == null || values.length < 4) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected face " + (f + 1) + " of "
                            + count + " of " + raw.image + " (x y w h ...), found '"
                            + (i < lines.size() ? lines.get(i).trim() : "the end of the file") + "'");
                }
                raw.boxes.add(new double[] {values[0], values[1], values[2], values[3]});
            }
            if (count == 0 && i < lines.size() && boxLine(lines.get(i)) != null) {
                i++; // the official file's placeholder row of zeros for an image without faces
            }
            images.add(raw);
        }
        return images;
    }

    /** The numbers on a face line, or {@code null} when it is not a line of numbers. */
    private static double[] boxLine(String line) {
        String trimmed = line.trim();
        if (trimmed.isEmpty()) {
            return null;
        }
        String[] tokens = trimmed.split("\\s+");
        double[] values = new double[tokens.length];
        try {
            for (int t = 0; t < tokens.length; t++) {
                values[t] = Double.parseDouble(tokens[t]);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return values;
    }
}
