package io.facestream.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.avro.BoundingBox;
import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceLandmarks;
import io.facestream.avro.ModelInfo;
import io.facestream.avro.Point;
import io.facestream.avro.SourceCoordinates;
import io.facestream.avro.StageTimings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one JSON layout of results and dead letters: Avro's JSON encoding, written and read back. */
class OutputRecordsTest {

    private static final Face FACE = new Face(0.5f, new BoundingBox(1f, 2f, 3f, 4f),
            new FaceLandmarks(new Point(1.5f, 2.5f), new Point(2.5f, 2.5f), new Point(2f, 3f), new Point(1.5f, 3.5f), new Point(2.5f, 3.5f)), null);

    private static FaceDetectionResult result(SourceCoordinates source) {
        return FaceDetectionResult.newBuilder()
                .setEventId("people/a.jpg")
                .setEventTime(Instant.parse("2026-11-29T12:00:00Z"))
                .setSource(source)
                .setImageWidth(640)
                .setImageHeight(480)
                .setModel(new ModelInfo("m.onnx", "ab12"))
                .setFaces(List.of(FACE))
                .setTimings(new StageTimings(1L, 2L, 3L, 4L, 5L, 15L))
                .setProcessedAt(Instant.parse("2026-11-29T12:00:01.250Z"))
                .build();
    }

    @Test
    void aResultIsOneLineOfAvrosJsonEncoding() {
        // Written out by hand from the Avro specification: a union's non-null value is wrapped in its branch's name,
        // timestamp-millis is the number of milliseconds; a null union (trackId) is null.
        String expected = "{\"eventId\":\"people/a.jpg\",\"eventTime\":1795953600000,"
                + "\"source\":{\"io.facestream.avro.SourceCoordinates\":{\"topic\":\"t\",\"partition\":1,\"offset\":7}},"
                + "\"imageWidth\":640,\"imageHeight\":480,\"model\":{\"name\":\"m.onnx\",\"sha256\":\"ab12\"},"
                + "\"faces\":[{\"score\":0.5,\"box\":{\"x1\":1.0,\"y1\":2.0,\"x2\":3.0,\"y2\":4.0},"
                + "\"landmarks\":{\"leftEye\":{\"x\":1.5,\"y\":2.5},\"rightEye\":{\"x\":2.5,\"y\":2.5},\"nose\":{\"x\":2.0,\"y\":3.0},"
                + "\"leftMouthCorner\":{\"x\":1.5,\"y\":3.5},\"rightMouthCorner\":{\"x\":2.5,\"y\":3.5}},\"trackId\":null}],"
                + "\"timings\":{\"queueMicros\":1,\"decodeMicros\":2,\"preprocessMicros\":3,\"inferenceMicros\":4,"
                + "\"postprocessMicros\":5,\"totalMicros\":15},\"processedAt\":1795953601250}";

        assertThat(OutputRecords.json(result(new SourceCoordinates("t", 1, 7L)))).isEqualTo(expected);
        assertThat(OutputRecords.resultFromJson(expected)).isEqualTo(result(new SourceCoordinates("t", 1, 7L)));
    }

    @Test
    void everyResultReadsBackAsTheRecordItWas() {
        for (FaceDetectionResult written : List.of(result(null), result(new SourceCoordinates("images", 0, 123456789012L)))) {
            assertThat(OutputRecords.resultFromJson(OutputRecords.json(written))).isEqualTo(written);
        }
    }

    @Test
    void aDeadLetterLosesOnlyItsPayload() {
        DeadLetter dead = DeadLetter.newBuilder().setEventId("bad-1").setReason(DeadLetterReason.CORRUPT_IMAGE)
                .setMessage("truncated").setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3})).setPayloadSize(3)
                .setFailedAt(Instant.parse("2026-11-29T12:00:00Z")).build();

        String line = OutputRecords.json(dead);

        assertThat(line).isEqualTo("{\"eventId\":{\"string\":\"bad-1\"},\"source\":null,\"reason\":\"CORRUPT_IMAGE\","
                + "\"message\":\"truncated\",\"payload\":null,\"payloadSize\":3,\"failedAt\":1795953600000}");
        assertThat(OutputRecords.deadLetterFromJson(line)).isEqualTo(DeadLetter.newBuilder(dead).setPayload(null).build());
    }

    @Test
    void anotherLayoutIsRefusedWithWhatWasExpected() {
        String before = "{\"image\":\"a.jpg\",\"width\":640,\"height\":480,\"faces\":[]}";
        assertThatThrownBy(() -> OutputRecords.resultFromJson(before)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a FaceDetectionResult in Avro's JSON encoding").hasMessageContaining("a.jpg");
    }
}
