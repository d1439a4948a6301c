package io.facestream.sql;

import static io.facestream.sql.DetectFacesSqlIT.collect;
import static io.facestream.sql.DetectFacesSqlIT.withImages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.DetectedFace;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceAnonymizer;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.FaceImagesOptions;
import io.facestream.detect.FaceImagesSettings;
import io.facestream.detect.GoldenDetections;
import io.facestream.detect.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * anonymize_faces in Flink SQL on a MiniCluster, with the real model; what comes out is checked with
 * Java's own image decoder and a plain detector session, not with the function's own pieces.
 */
@Timeout(300)
class AnonymizeFacesSqlIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(DetectFacesSqlIT.PARALLELISM)
            .build());

    private static final String ANONYMIZE = "SELECT i.name, anonymize_faces(i.image) FROM images AS i";
    private static final byte[] JPEG_START = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_START = {(byte) 0x89, 'P', 'N', 'G'};

    private static FaceDetector detector;
    private static FaceDetector.Session session;

    @BeforeAll
    static void loadModel() throws IOException {
        detector = FaceDetector.load(DetectorSettings.defaults());
        session = detector.newSession();
    }

    @AfterAll
    static void closeModel() {
        session.close();
        detector.close();
    }

    private static StreamTableEnvironment withAnonymizeFaces(Map<String, byte[]> images) {
        StreamTableEnvironment tables = withImages(images);
        tables.executeSql("CREATE FUNCTION anonymize_faces AS 'io.facestream.sql.AnonymizeFaces'");
        return tables;
    }

    private static Map<String, byte[]> byName(List<Row> rows) {
        Map<String, byte[]> images = new LinkedHashMap<>();
        rows.forEach(row -> images.put((String) row.getField(0), (byte[]) row.getField(1)));
        return images;
    }

    private static List<DetectedFace> confidentFaces(byte[] image) throws Exception {
        return session.detect(image, null).faces().stream().filter(face -> face.score() >= 0.5f).toList();
    }

    private static BufferedImage decode(byte[] image) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(image));
    }

    @Test
    void everyPhotoComesOutAtItsSizeWithNoFaceLeftAndABadImageAsNullWithoutFailingTheQuery() throws Exception {
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (String name : GoldenDetections.load().keySet()) {
            images.put(name, TestImages.photo(name));
        }
        byte[] chris = TestImages.photo("Chris.jpeg");
        images.put("truncated.jpeg", TestImages.truncated(chris, chris.length / 2));
        images.put("random.bin", TestImages.randomBytes(4096, 7));
        images.put("null", null);

        Map<String, byte[]> anonymized = byName(collect(withAnonymizeFaces(images), ANONYMIZE));

        assertThat(anonymized).containsOnlyKeys(images.keySet());
        int facesBefore = 0;
        for (String name : GoldenDetections.load().keySet()) {
            byte[] output = anonymized.get(name);
            assertThat(output).as(name).isNotNull();
            assertThat(Arrays.copyOf(output, JPEG_START.length)).as(name + ": a JPEG, the default format").isEqualTo(JPEG_START);
            BufferedImage before = decode(images.get(name));
            BufferedImage after = decode(output);
            assertThat(after).as(name + " decodes").isNotNull();
            assertThat(new int[] {after.getWidth(), after.getHeight()}).as(name + " size")
                    .containsExactly(before.getWidth(), before.getHeight());
            facesBefore += confidentFaces(images.get(name)).size();
            assertThat(confidentFaces(output)).as(name + ": faces scoring 0.5 or more left").isEmpty();
        }
        assertThat(facesBefore).as("faces the detector finds in the photos as they came").isEqualTo(9);

        assertThat(anonymized.get("truncated.jpeg")).isNull();
        assertThat(anonymized.get("random.bin")).isNull();
        assertThat(anonymized.get("null")).isNull();
    }

    /**
     * Why the function is synchronous (docs/sql-and-datastream.md): beside Flink 2.3's async calc operator a NULL
     * string selected with the function came out as ''. A scalar function leaves the other columns as they are.
     */
    @Test
    void aNullStringSelectedBesideItStaysNull() throws Exception {
        byte[] chris = TestImages.photo("Chris.jpeg");
        Map<String, byte[]> images = new LinkedHashMap<>();
        images.put("Chris.jpeg", chris);
        images.put(null, chris);
        List<Row> rows = collect(withAnonymizeFaces(images), ANONYMIZE);
        assertThat(rows).extracting(row -> row.getField(0)).containsExactlyInAnyOrder("Chris.jpeg", null);
        assertThat(rows).allSatisfy(row -> assertThat(row.getField(1)).isNotNull());
    }

    @Test
    void styleAndFormatComeFromTheConfigurationOfTheQuery() throws Exception {
        StreamTableEnvironment tables = withAnonymizeFaces(Map.of("Chris.jpeg", TestImages.photo("Chris.jpeg")));
        tables.getConfig().set("facestream.anonymized-format", "png");
        tables.getConfig().set("facestream.anonymize-style", "fill");

        byte[] png = (byte[]) collect(tables, ANONYMIZE).get(0).getField(1);

        assertThat(Arrays.copyOf(png, PNG_START.length)).isEqualTo(PNG_START);
        BufferedImage image = decode(png);
        List<DetectedFace> faces = GoldenDetections.load().get("Chris.jpeg").faces();
        assertThat(faces).isNotEmpty();
        for (DetectedFace face : faces) {
            // The reference box, less the few pixels the int8 model's box may differ by, is inside the filled box.
            for (int y = (int) face.y1() + 3; y < (int) face.y2() - 3; y++) {
                for (int x = (int) face.x1() + 3; x < (int) face.x2() - 3; x++) {
                    assertThat(image.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d of the face's box", x, y).isZero();
                }
            }
        }
    }

    @Test
    void anImageThatTimesOutComesOutNull() throws Exception {
        byte[] chris = TestImages.photo("Chris.jpeg");
        StreamTableEnvironment tables = withAnonymizeFaces(Map.of("a", chris, "b", chris));
        tables.getConfig().set("facestream.timeout", "1 ms");
        assertThat(collect(tables, ANONYMIZE)).extracting(row -> row.getField(1)).containsExactly(null, null);
    }

    @Test
    void settingsGivenToTheConstructorWinOverTheConfiguration() throws Exception {
        StreamTableEnvironment tables = withAnonymizeFaces(Map.of("Chris.jpeg", TestImages.photo("Chris.jpeg")));
        tables.getConfig().set("facestream.timeout", "1 ms");
        tables.createTemporarySystemFunction("anonymize_faces_as_png", new AnonymizeFaces(new AnonymizeFacesSettings(
                DetectFacesSettings.defaults(),
                FaceImagesSettings.builder().format(FaceImagesOptions.Format.PNG).style(FaceAnonymizer.Style.PIXELATE).build())));
        byte[] png = (byte[]) collect(tables, ANONYMIZE.replace("anonymize_faces(", "anonymize_faces_as_png(")).get(0).getField(1);
        assertThat(png).isNotNull();
        assertThat(Arrays.copyOf(png, PNG_START.length)).isEqualTo(PNG_START);
    }

    @Test
    void badSettingsFailTheQueryBeforeItRuns() {
        StreamTableEnvironment tables = withAnonymizeFaces(Map.of("a", new byte[] {1}));
        tables.getConfig().set("facestream.anonymize-margin", "5");
        tables.getConfig().set("facestream.jpeg-quality", "0");
        tables.getConfig().set("facestream.inference-threads", "0");
        assertThatThrownBy(() -> tables.executeSql(ANONYMIZE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid FaceStream settings for anonymize_faces")
                .hasMessageContaining("facestream.anonymize-margin 5.0: must be between 0 and 2")
                .hasMessageContaining("facestream.jpeg-quality 0: must be 1 to 100")
                .hasMessageContaining("facestream.inference-threads 0: must be at least 1");
    }

    @Test
    void batchModeAnonymizesToo() throws Exception {
        TableEnvironment batch = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        byte[] chris = TestImages.photo("Chris.jpeg");
        batch.createTemporaryView("images", batch.fromValues(DataTypes.ROW(DataTypes.FIELD("name", DataTypes.STRING()),
                DataTypes.FIELD("image", DataTypes.BYTES())), Row.of("Chris.jpeg", chris), Row.of("broken", new byte[] {1})));
        batch.executeSql("CREATE FUNCTION anonymize_faces AS 'io.facestream.sql.AnonymizeFaces'");
        List<Row> rows = new ArrayList<>();
        try (var results = batch.executeSql(ANONYMIZE).collect()) {
            results.forEachRemaining(rows::add);
        }
        Map<String, byte[]> anonymized = byName(rows);
        assertThat(anonymized).containsOnlyKeys("Chris.jpeg", "broken");
        assertThat(anonymized.get("broken")).isNull();
        assertThat(confidentFaces(chris)).hasSize(1);
        assertThat(confidentFaces(anonymized.get("Chris.jpeg"))).isEmpty();
    }
}
