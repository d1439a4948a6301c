package io.facestream.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

/**
 * One level's keep-list: for each image, the 1-based indices of the faces that count at that level.
 *
 * <p>Two layouts are read, told apart by content:
 * <ul>
 *   <li>the official MATLAB files ({@code wider_easy_val.mat}, {@code wider_medium_val.mat},
 *       {@code wider_hard_val.mat}, MAT-file version 5/7): {@code gt_list} holds one cell per event,
 *       in it one cell per image, in it a column of face indices. The event and image names come from
 *       {@code event_list} and {@code file_list} in the same file or, where it has none, from
 *       {@code wider_face_val.mat} in the same folder (the official event and image order);</li>
 *   <li>text: one line per image, {@code <event>/<name>.jpg i j k ...} (the image, then its kept
 *       faces' 1-based indices, none for an image without kept faces); blank lines and lines
 *       starting with {@code #} are skipped.</li>
 * </ul>
 */
public final class KeepLists {

    /** The file the official keep-lists take their event and image names from when they hold none. */
    public static final String WIDER_VAL_MAT = "wider_face_val.mat";

    private final Path file;
    private final Map<String, int[]> facesByImage;

    private KeepLists(Path file, Map<String, int[]> facesByImage) {
        this.file = file;
        this.facesByImage = facesByImage;
    }

    public Path file() {
        return file;
    }

    /** Images listed. */
    public int size() {
        return facesByImage.size();
    }

    /**
     * @param image the image as the ground truth names it, with or without its extension
     * @return the 1-based indices of its faces in the list, or {@code null} when the list does not name the image
     */
    public int[] faces(String image) {
        int[] faces = facesByImage.get(WiderNames.key(image));
        return faces == null ? null : faces.clone();
    }

    /** Reads a keep-list in either layout; an unreadable or malformed file fails with a message naming it. */
    public static KeepLists read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(128);
        }
        String header = new String(head, StandardCharsets.ISO_8859_1);
        if (header.startsWith("MATLAB")) {
            if (header.startsWith("MATLAB 7.3")) {
                throw new IllegalArgumentException(file + ": a MATLAB 7.3 (HDF5) file, which cannot be read here;"
                        + " save it with -v7 or give the keep-list as text");
            }
            return readMat(file);
        }
        return readText(file);
    }

    static KeepLists readText(Path file) throws IOException {
        Map<String, int[]> faces = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] tokens = line.split("\\s+");
            int[] indices = new int[tokens.length - 1];
            for (int t = 1; t < tokens.length; t++) {
                indices[t - 1] = faceIndex(tokens[t]);
                if (indices[t - 1] < 1) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + ": face index '" + tokens[t]
                            + "' is not a positive whole number (indices are 1-based)");
                }
            }
            if (faces.put(WiderNames.key(tokens[0]), indices) != null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + tokens[0] + " is listed twice");
            }
        }
        return new KeepLists(file, faces);
    }

    /** The index a token spells, or 0 where it is not a positive whole number. */
    private static int faceIndex(String token) {
        try {
            double value = Double.parseDouble(token);
            return value == Math.rint(value) && value >= 1 && value <= Integer.MAX_VALUE ? (int) value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static KeepLists readMat(Path file) throws IOException {
        try (Mat5File mat = Mat5.readFromFile(file.toFile())) {
            Map<String, Array> arrays = arrays(mat);
            Cell gtList = cell(file, arrays, "gt_list");
            Cell eventList;
            Cell fileList;
            Path namesFrom = file;
            if (arrays.containsKey("event_list") && arrays.containsKey("file_list")) {
                eventList = cell(file, arrays, "event_list");
                fileList = cell(file, arrays, "file_list");
                return new KeepLists(file, fromCells(file, namesFrom, gtList, eventList, fileList));
            }
            namesFrom = file.resolveSibling(WIDER_VAL_MAT);
            if (!Files.isRegularFile(namesFrom)) {
                throw new IllegalArgumentException(file + ": has no event_list/file_list for its gt_list, and there is no "
                        + WIDER_VAL_MAT + " beside it to take the event and image names from");
            }
            try (Mat5File names = Mat5.readFromFile(namesFrom.toFile())) {
                Map<String, Array> nameArrays = arrays(names);
                eventList = cell(namesFrom, nameArrays, "event_list");
                fileList = cell(namesFrom, nameArrays, "file_list");
                return new KeepLists(file, fromCells(file, namesFrom, gtList, eventList, fileList));
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a readable MAT-file keep-list: " + e, e);
        }
    }

    private static Map<String, Array> arrays(MatFile mat) {
        Map<String, Array> arrays = new HashMap<>();
        for (MatFile.Entry entry : mat.getEntries()) {
            arrays.put(entry.getName(), entry.getValue());
        }
        return arrays;
    }

    private static Cell cell(Path file, Map<String, Array> arrays, String name) {
        Array array = arrays.get(name);
        if (!(array instanceof Cell cell)) {
            throw new IllegalArgumentException(file + ": " + (array == null ? "has no variable " + name
                    : name + " is a " + array.getType() + ", not a cell array") + " (variables: " + arrays.keySet() + ")");
        }
        return cell;
    }

    private static Map<String, int[]> fromCells(Path file, Path namesFrom, Cell gtList, Cell eventList, Cell fileList) {
        int events = gtList.getNumElements();
        if (eventList.getNumElements() != events || fileList.getNumElements() != events) {
            throw new IllegalArgumentException(file + ": gt_list has " + events + " event(s), but " + namesFrom + " names "
                    + eventList.getNumElements() + " in event_list and " + fileList.getNumElements() + " in file_list");
        }
        Map<String, int[]> faces = new HashMap<>();
        for (int e = 0; e < events; e++) {
            String event = string(eventList.get(e)).trim();
            Cell names = (Cell) fileList.get(e);
            Cell lists = (Cell) gtList.get(e);
            if (names.getNumElements() != lists.getNumElements()) {
                throw new IllegalArgumentException(file + ": event " + event + " has " + lists.getNumElements()
                        + " image(s) in gt_list but " + names.getNumElements() + " in file_list of " + namesFrom);
            }
            for (int j = 0; j < names.getNumElements(); j++) {
                String image = event + "/" + string(names.get(j)).trim();
                Matrix indices = (Matrix) lists.get(j);
                int[] kept = new int[indices.getNumElements()];
                for (int k = 0; k < kept.length; k++) {
                    double value = indices.getDouble(k);
                    if (value != Math.rint(value) || value < 1 || value > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(file + ": gt_list of " + image + " holds " + value
                                + ", not a 1-based face index");
                    }
                    kept[k] = (int) value;
                }
                faces.put(WiderNames.key(image), kept);
            }
        }
        return faces;
    }

    private static String string(Array array) {
        if (array instanceof Char chars) {
            return chars.getString();
        }
        if (array instanceof Cell cell && cell.getNumElements() == 1) {
            return string(cell.get(0));
        }
        throw new IllegalArgumentException("expected a name (char array), found " + array.getType() + " "
                + Arrays.toString(array.getDimensions()));
    }
}
