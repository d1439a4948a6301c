package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ModelInfo;
import io.facestream.avro.StageTimings;
import io.facestream.detect.DecodedImage;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.ImageDecoder;
import io.facestream.job.Results;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A face placed by hand on testdata/Chris.jpeg (512 x 678), and the check that an annotated
 * picture shows it: box edges green, the left eye's dot blue, pixels away from the drawing as in
 * the original.
 */
final class AnnotatedPictures {

    static final String IMAGE = "Chris.jpeg";
    static final DetectedFace FACE = new DetectedFace(0.987f, 100, 120, 300, 360,
            new float[] {150, 200, 250, 200, 200, 250, 160, 300, 240, 300});

    /** Blue, green, red as OpenCV holds them. */
    private static final double[] GREEN = {0, 255, 0};
    private static final double[] BLUE = {255, 0, 0};

    private AnnotatedPictures() {}

    /** The line of a detections.jsonl for {@link #FACE} on {@code image}, written out by hand in Avro's JSON encoding. */
    static String detectionsLine(String image) {
        return detectionsLine(image, ",\"trackId\":null");
    }

    /** {@link #detectionsLine(String)} with the face on track {@code trackId}, as the tracking job writes it. */
    static String trackedDetectionsLine(String image, String trackId) {
        return detectionsLine(image, ",\"trackId\":{\"string\":\"" + trackId + "\"}");
    }

    private static String detectionsLine(String image, String trackIdField) {
        // Avro's JSON decoder wants every field, also the trackId FaceDetectionResult v2 added with a default.
        return "{\"eventId\":\"" + image + "\",\"eventTime\":1795953600000,\"source\":null,\"imageWidth\":512,\"imageHeight\":678,"
                + "\"model\":{\"name\":\"mnet.25_v2.onnx\",\"sha256\":\"cd1acf48\"},\"faces\":[{\"score\":0.987,"
                + "\"box\":{\"x1\":100,\"y1\":120,\"x2\":300,\"y2\":360},\"landmarks\":{\"leftEye\":{\"x\":150,\"y\":200},"
                + "\"rightEye\":{\"x\":250,\"y\":200},\"nose\":{\"x\":200,\"y\":250},\"leftMouthCorner\":{\"x\":160,\"y\":300},"
                + "\"rightMouthCorner\":{\"x\":240,\"y\":300}}" + trackIdField + "}],\"timings\":{\"queueMicros\":1,\"decodeMicros\":2,"
                + "\"preprocessMicros\":3,\"inferenceMicros\":4,\"postprocessMicros\":5,\"totalMicros\":15},\"processedAt\":1795953601000}";
    }

    static FaceDetectionResult result(String eventId, DetectedFace... faces) {
        return FaceDetectionResult.newBuilder()
                .setEventId(eventId)
                .setEventTime(Instant.parse("2026-11-29T12:00:00Z"))
                .setImageWidth(512)
                .setImageHeight(678)
                .setModel(new ModelInfo("mnet.25_v2.onnx", "cd1acf48"))
                .setFaces(java.util.Arrays.stream(faces).map(Results::toAvro).toList())
                .setTimings(new StageTimings(1L, 2L, 3L, 4L, 5L, 15L))
                .setProcessedAt(Instant.parse("2026-11-29T12:00:01Z"))
                .build();
    }

    static void assertShowsFace(Path original, Path annotated) throws Exception {
        assertThat(annotated).exists();
        ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        try (DecodedImage before = decoder.decode(Files.readAllBytes(original), null);
             DecodedImage after = decoder.decode(Files.readAllBytes(annotated), null)) {
            assertThat(after.width()).isEqualTo(before.width());
            assertThat(after.height()).isEqualTo(before.height());
            for (int[] edge : List.of(new int[] {100, 240}, new int[] {300, 240}, new int[] {200, 120}, new int[] {200, 360})) {
                assertThat(pixel(after, edge[0], edge[1])).as("box edge at %s,%s", edge[0], edge[1]).containsExactly(GREEN);
                assertThat(pixel(before, edge[0], edge[1])).as("original at %s,%s", edge[0], edge[1]).isNotEqualTo(GREEN);
            }
            assertThat(pixel(after, 150, 200)).as("left eye").containsExactly(BLUE);
            for (int[] away : List.of(new int[] {5, 5}, new int[] {200, 240}, new int[] {450, 600})) {
                assertThat(pixel(after, away[0], away[1])).as("untouched at %s,%s", away[0], away[1])
                        .containsExactly(pixel(before, away[0], away[1]));
            }
        }
    }

    private static double[] pixel(DecodedImage image, int x, int y) {
        return image.bgr().get(y, x);
    }
}
