package io.facestream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Cell;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

class KeepListsTest {

    @TempDir
    Path tmp;

    /** Two events, as the official keep-lists lay them out: per event a cell of images, per image a column of indices. */
    private static final Map<String, Map<String, int[]>> EVENTS = events(
            "0--Parade", Map.of("0_Parade_marchingband_1_465", new int[] {1, 3, 4}, "0_Parade_Parade_0_628", new int[] {}),
            "1--Handshaking", Map.of("1_Handshaking_Handshaking_1_35", new int[] {2}));

    @Test
    void readsTheOfficialMatLayoutWithItsOwnNames() throws Exception {
        Path file = tmp.resolve("wider_easy_val.mat");
        MatFile mat = Mat5.newMatFile()
                .addArray("event_list", eventList(EVENTS))
                .addArray("file_list", fileList(EVENTS))
                .addArray("gt_list", gtList(EVENTS));
        Mat5.writeToFile(mat, file.toFile());

        KeepLists lists = KeepLists.read(file);
        assertThat(lists.size()).isEqualTo(3);
        assertThat(lists.faces("0--Parade/0_Parade_marchingband_1_465.jpg")).containsExactly(1, 3, 4);
        assertThat(lists.faces("0--Parade/0_Parade_Parade_0_628")).isEmpty();
        assertThat(lists.faces("1--Handshaking/1_Handshaking_Handshaking_1_35.jpg")).containsExactly(2);
        assertThat(lists.faces("1--Handshaking/elsewhere.jpg")).isNull();
    }

    @Test
    void takesTheNamesFromWiderFaceValMatBesideItWhenItHasNone() throws Exception {
        Path file = tmp.resolve("wider_hard_val.mat");
        Mat5.writeToFile(Mat5.newMatFile().addArray("gt_list", gtList(EVENTS)), file.toFile());
        assertThatThrownBy(() -> KeepLists.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no event_list/file_list").hasMessageContaining("wider_face_val.mat");

        Mat5.writeToFile(Mat5.newMatFile()
                .addArray("event_list", eventList(EVENTS))
                .addArray("file_list", fileList(EVENTS)), tmp.resolve(KeepLists.WIDER_VAL_MAT).toFile());
        KeepLists lists = KeepLists.read(file);
        assertThat(lists.faces("0--Parade/0_Parade_marchingband_1_465.jpg")).containsExactly(1, 3, 4);
        assertThat(lists.faces("1--Handshaking/1_Handshaking_Handshaking_1_35.jpg")).containsExactly(2);
    }

    @Test
    void aMatFileWithoutGtListOrWithMismatchedNamesFails() throws Exception {
        Path noList = tmp.resolve("names_only.mat");
        Mat5.writeToFile(Mat5.newMatFile().addArray("event_list", eventList(EVENTS)), noList.toFile());
        assertThatThrownBy(() -> KeepLists.read(noList))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no variable gt_list");

        Path mismatched = tmp.resolve("mismatched.mat");
        Map<String, Map<String, int[]>> oneEvent = events("0--Parade", EVENTS.get("0--Parade"));
        Mat5.writeToFile(Mat5.newMatFile()
                .addArray("event_list", eventList(oneEvent))
                .addArray("file_list", fileList(oneEvent))
                .addArray("gt_list", gtList(EVENTS)), mismatched.toFile());
        assertThatThrownBy(() -> KeepLists.read(mismatched))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_list has 2 event(s)");
    }

    @Test
    void readsTheTextLayout() throws Exception {
        Path file = Files.writeString(tmp.resolve("easy.txt"), """
                # kept faces per image
                0--Parade/0_Parade_marchingband_1_465.jpg 1 3 4

                0--Parade/0_Parade_Parade_0_628.jpg
                """);
        KeepLists lists = KeepLists.read(file);
        assertThat(lists.size()).isEqualTo(2);
        assertThat(lists.faces("0--Parade/0_Parade_marchingband_1_465")).containsExactly(1, 3, 4);
        assertThat(lists.faces("0--Parade/0_Parade_Parade_0_628.jpg")).isEmpty();
        Path twice = Files.writeString(tmp.resolve("twice.txt"), "e/a.jpg 1\ne/a.jpg 2\n");
        assertThatThrownBy(() -> KeepLists.read(twice))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice.txt line 2: e/a.jpg is listed twice");
    }

    /** Writes official-layout keep-lists for the given events; {@code names} also puts event_list and file_list in. */
    public static void writeMat(Path file, Map<String, Map<String, int[]>> events, boolean names) throws Exception {
        MatFile mat = Mat5.newMatFile();
        if (names) {
            mat.addArray("event_list", eventList(events)).addArray("file_list", fileList(events));
        }
        mat.addArray("gt_list", gtList(events));
        Mat5.writeToFile(mat, file.toFile());
    }

    /** Writes the names alone, as {@code wider_face_val.mat} holds them (with the boxes, not written here). */
    public static void writeNamesMat(Path file, Map<String, Map<String, int[]>> events) throws Exception {
        Mat5.writeToFile(Mat5.newMatFile().addArray("event_list", eventList(events)).addArray("file_list", fileList(events)),
                file.toFile());
    }

    private static Cell eventList(Map<String, Map<String, int[]>> events) {
        Cell cell = Mat5.newCell(events.size(), 1);
        int e = 0;
        for (String event : events.keySet()) {
            cell.set(e++, Mat5.newString(event));
        }
        return cell;
    }

    private static Cell fileList(Map<String, Map<String, int[]>> events) {
        Cell cell = Mat5.newCell(events.size(), 1);
        int e = 0;
        for (Map<String, int[]> images : events.values()) {
            Cell names = Mat5.newCell(images.size(), 1);
            int j = 0;
            for (String image : images.keySet()) {
                names.set(j++, Mat5.newString(image));
            }
            cell.set(e++, names);
        }
        return cell;
    }

    private static Cell gtList(Map<String, Map<String, int[]>> events) {
        Cell cell = Mat5.newCell(events.size(), 1);
        int e = 0;
        for (Map<String, int[]> images : events.values()) {
            Cell lists = Mat5.newCell(images.size(), 1);
            int j = 0;
            for (int[] faces : images.values()) {
                Matrix column = Mat5.newMatrix(faces.length, 1);
                for (int k = 0; k < faces.length; k++) {
                    column.setDouble(k, faces[k]);
                }
                lists.set(j++, column);
            }
            cell.set(e++, lists);
        }
        return cell;
    }

    /** Events and their images in a fixed order (the .mat cells are ordered). */
    static Map<String, Map<String, int[]>> events(Object... eventsAndImages) {
        Map<String, Map<String, int[]>> events = new LinkedHashMap<>();
        for (int i = 0; i < eventsAndImages.length; i += 2) {
            @SuppressWarnings("unchecked")
            Map<String, int[]> images = (Map<String, int[]>) eventsAndImages[i + 1];
            Map<String, int[]> ordered = new LinkedHashMap<>();
            images.keySet().stream().sorted().forEach(name -> ordered.put(name, images.get(name)));
            events.put((String) eventsAndImages[i], ordered);
        }
        return events;
    }

    @Test
    void namesAreComparedWithoutTheirExtension() {
        assertThat(WiderNames.key("0--Parade/0_Parade_1.jpg")).isEqualTo("0--Parade/0_Parade_1");
        assertThat(WiderNames.key("./0--Parade\\0_Parade_1.jpg")).isEqualTo("0--Parade/0_Parade_1");
        assertThat(WiderNames.key("0--Parade/0_Parade_1")).isEqualTo("0--Parade/0_Parade_1");
        assertThat(List.of(WiderNames.key("a.b/c"))).containsExactly("a.b/c");
    }
}
