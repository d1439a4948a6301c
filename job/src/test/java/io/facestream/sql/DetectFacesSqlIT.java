package io.facestream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.DetectedFace;
import io.facestream.detect.GoldenDetections;
import io.facestream.detect.TestImages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** detect_faces in Flink SQL on a MiniCluster, with the real model: CREATE FUNCTION, then queries over a table of images. */
@Timeout(300)
class DetectFacesSqlIT {

    static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .build());

    private static final TypeInformation<Row> IMAGE_ROW = Types.ROW_NAMED(new String[] {"name", "image"},
            Types.STRING, Types.PRIMITIVE_ARRAY(Types.BYTE));

    private static final String DETECT = "SELECT i.name, d.faces, d.imageWidth, d.imageHeight, d.errorReason, d.errorMessage "
            + "FROM images AS i, LATERAL TABLE(detect_faces(i.image)) AS d";

    /**
     * A streaming table environment (async functions run in streaming mode) on the calling test class's MiniCluster,
     * with the images as table 'images' and detect_faces.
     */
    static StreamTableEnvironment withImages(Map<String, byte[]> images) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        List<Row> rows = new ArrayList<>();
        images.forEach((name, bytes) -> rows.add(Row.of(name, bytes)));
        tables.createTemporaryView("images", env.fromData(rows, IMAGE_ROW));
        tables.executeSql("CREATE FUNCTION detect_faces AS 'io.facestream.sql.DetectFaces'");
        return tables;
    }

    static List<Row> collect(StreamTableEnvironment tables, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> results = tables.executeSql(query).collect()) {
            results.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void findsTheGoldenFacesAndGivesBadImagesAnErrorRow() throws Exception {
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (String name : golden.keySet()) {
            images.put(name, TestImages.photo(name));
        }
        byte[] chris = TestImages.photo("Chris.jpeg");
        images.put("truncated.jpeg", TestImages.truncated(chris, chris.length / 2));
        images.put("random.bin", TestImages.randomBytes(4096, 7));
        images.put("null", null);

        List<Row> rows = collect(withImages(images), DETECT);

        assertThat(rows).extracting(row -> (String) row.getField(0)).containsExactlyInAnyOrderElementsOf(images.keySet());
        Map<String, Row> byName = new LinkedHashMap<>();
        rows.forEach(row -> byName.put((String) row.getField(0), row));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, GoldenDetections.Image> expected : golden.entrySet()) {
            Row row = byName.get(expected.getKey());
            assertThat(row.getField(4)).as(expected.getKey() + " errorReason").isNull();
            assertThat(row.getField(2)).as(expected.getKey() + " imageWidth").isEqualTo(expected.getValue().width());
            assertThat(row.getField(3)).as(expected.getKey() + " imageHeight").isEqualTo(expected.getValue().height());
            problems.addAll(GoldenDetections.disagreements(expected.getKey(), expected.getValue().faces(),
                    faces((Row[]) row.getField(1)), GoldenDetections.INT8_REFERENCE));
        }
        assertThat(problems).isEmpty();
        assertThat(byName.get("coffee.png").getField(1)).as("no face: an empty array").isEqualTo(new Row[0]);

        assertError(byName.get("truncated.jpeg"), "CORRUPT_IMAGE");
        assertError(byName.get("random.bin"), "UNSUPPORTED_FORMAT");
        assertError(byName.get("null"), "EMPTY_PAYLOAD");
    }

    private static void assertError(Row row, String reason) {
        assertThat(row.getField(4)).as(row.getField(0) + " errorReason").isEqualTo(reason);
        assertThat((String) row.getField(5)).as(row.getField(0) + " errorMessage").isNotBlank();
        assertThat(row.getField(1)).as(row.getField(0) + " faces").isNull();
        assertThat(row.getField(2)).as(row.getField(0) + " imageWidth").isNull();
    }

    /** The faces array read back as the detector's faces, through the row layout's field names. */
    private static List<DetectedFace> faces(Row[] faces) {
        List<DetectedFace> result = new ArrayList<>();
        for (Row face : faces) {
            Row box = (Row) face.getField("box");
            Row landmarks = (Row) face.getField("landmarks");
            float[] points = new float[2 * DetectedFace.LANDMARK_COUNT];
            String[] names = {"leftEye", "rightEye", "nose", "leftMouthCorner", "rightMouthCorner"};
            for (int i = 0; i < names.length; i++) {
                Row point = (Row) landmarks.getField(names[i]);
                points[2 * i] = (Float) point.getField("x");
                points[2 * i + 1] = (Float) point.getField("y");
            }
            result.add(new DetectedFace((Float) face.getField("score"), (Float) box.getField("x1"), (Float) box.getField("y1"),
                    (Float) box.getField("x2"), (Float) box.getField("y2"), points));
        }
        return result;
    }

    @Test
    void unnestGivesOneRowPerFace() throws Exception {
        Map<String, byte[]> images = new LinkedHashMap<>();
        images.put("montage_4faces.png", TestImages.photo("montage_4faces.png"));
        images.put("coffee.png", TestImages.photo("coffee.png"));
        images.put("Chris.jpeg", TestImages.photo("Chris.jpeg"));
        List<Row> rows = collect(withImages(images), "SELECT i.name, f.score, f.box.x1, f.landmarks.nose.x "
                + "FROM images AS i, LATERAL TABLE(detect_faces(i.image)) AS d "
                + "CROSS JOIN UNNEST(d.faces) AS f(score, box, landmarks) WHERE f.score >= 0.5");
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        assertThat(rows).extracting(row -> (String) row.getField(0)).containsExactlyInAnyOrder(
                faceNames(golden, "montage_4faces.png", "coffee.png", "Chris.jpeg"));
        assertThat(rows).allSatisfy(row -> assertThat((Float) row.getField(3)).isGreaterThan((Float) row.getField(2)));
    }

    /** Each image's name once per face of its reference detections. */
    private static String[] faceNames(Map<String, GoldenDetections.Image> golden, String... names) {
        List<String> result = new ArrayList<>();
        for (String name : names) {
            golden.get(name).faces().forEach(face -> result.add(name));
        }
        return result.toArray(String[]::new);
    }

    @Test
    void settingsComeFromTheConfigurationOfTheQuery() throws Exception {
        byte[] chris = TestImages.photo("Chris.jpeg");
        StreamTableEnvironment tables = withImages(Map.of("a", chris, "b", chris));
        tables.getConfig().set("facestream.timeout", "1 ms");
        List<Row> rows = collect(tables, DETECT);
        assertThat(rows).extracting(row -> row.getField(4)).containsExactly("TIMEOUT", "TIMEOUT");
        assertThat((String) rows.get(0).getField(5)).contains("facestream.timeout");
    }

    @Test
    void settingsGivenToTheConstructorWinOverTheConfiguration() throws Exception {
        StreamTableEnvironment tables = withImages(Map.of("chris", TestImages.photo("Chris.jpeg")));
        tables.getConfig().set("facestream.timeout", "1 ms");
        tables.createTemporarySystemFunction("detect_faces_patiently",
                new DetectFaces(DetectFacesSettings.builder().timeout(java.time.Duration.ofMinutes(1)).build()));
        List<Row> rows = collect(tables, DETECT.replace("detect_faces(", "detect_faces_patiently("));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getField(4)).as("errorReason").isNull();
        assertThat((Row[]) rows.get(0).getField(1)).hasSize(GoldenDetections.load().get("Chris.jpeg").faces().size());
    }

    @Test
    void badSettingsFailTheQueryBeforeItRuns() {
        StreamTableEnvironment tables = withImages(Map.of("a", new byte[] {1}));
        tables.getConfig().set("facestream.score-threshold", "1.5");
        tables.getConfig().set("facestream.inference-threads", "0");
        assertThatThrownBy(() -> tables.executeSql(DETECT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("facestream.score-threshold 1.5: must be between 0 and 1")
                .hasMessageContaining("facestream.inference-threads 0: must be at least 1");
    }

    @Test
    void aTimeoutFlinkWouldReachFirstFailsTheQueryBeforeItRuns() {
        StreamTableEnvironment tables = withImages(Map.of("a", new byte[] {1}));
        tables.getConfig().set("table.exec.async-table.timeout", "10 s");
        assertThatThrownBy(() -> tables.executeSql(DETECT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("facestream.timeout (30000 ms) must be below table.exec.async-table.timeout (10000 ms)");
    }

    /** What docs/sql-and-datastream.md says of batch mode; when a Flink release plans async table functions in batch, this fails and that text must change. */
    @Test
    void batchModeRefusesAsyncTableFunctions() {
        TableEnvironment batch = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        batch.createTemporaryView("images", batch.fromValues(DataTypes.ROW(DataTypes.FIELD("name", DataTypes.STRING()),
                DataTypes.FIELD("image", DataTypes.BYTES())), Row.of("a", new byte[] {1})));
        batch.executeSql("CREATE FUNCTION detect_faces AS 'io.facestream.sql.DetectFaces'");
        assertThatThrownBy(() -> batch.executeSql(DETECT)).hasStackTraceContaining("Unsupported function for scan:ASYNC_TABLE");
    }
}
