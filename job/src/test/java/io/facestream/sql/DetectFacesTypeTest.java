package io.facestream.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.junit.jupiter.api.Test;

/** The columns of detect_faces, derived from the Avro result record, are those docs/sql-and-datastream.md shows. */
class DetectFacesTypeTest {

    private static final String POINT = "ROW<x FLOAT NOT NULL, y FLOAT NOT NULL> NOT NULL";

    @Test
    void theColumnsAreTheResultRecordsWithEveryFieldOfAFaceNotNull() {
        String face = "ROW<score FLOAT NOT NULL, box ROW<x1 FLOAT NOT NULL, y1 FLOAT NOT NULL, x2 FLOAT NOT NULL, "
                + "y2 FLOAT NOT NULL> NOT NULL, landmarks ROW<leftEye " + POINT + ", rightEye " + POINT + ", nose " + POINT
                + ", leftMouthCorner " + POINT + ", rightMouthCorner " + POINT + "> NOT NULL>";
        String expected = "ROW<faces ARRAY<" + face + " NOT NULL>, imageWidth INT, imageHeight INT, errorReason STRING, "
                + "errorMessage STRING>";

        assertThat(DetectFaces.OUTPUT_TYPE.getLogicalType())
                .isEqualTo(LogicalTypeParser.parse(expected, DetectFacesTypeTest.class.getClassLoader()));
    }
}
