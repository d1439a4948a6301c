package io.facestream.job;

import io.facestream.schemas.AvroTrust;
import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;

/** Exactly one of a result or a dead letter for one image event. A Flink POJO. */
public class DetectionOutcome {

    static {
        AvroTrust.trustFaceStreamSchemas();
    }

    public FaceDetectionResult result;
    public DeadLetter deadLetter;
    /** The source (camera, stream) of the event, as its {@link SourcedImageEvent#streamSource}: what tracking keys by. */
    public String streamSource;

    public DetectionOutcome() {}

    public static DetectionOutcome of(FaceDetectionResult result) {
        DetectionOutcome outcome = new DetectionOutcome();
        outcome.result = result;
        return outcome;
    }

    public static DetectionOutcome of(DeadLetter deadLetter) {
        DetectionOutcome outcome = new DetectionOutcome();
        outcome.deadLetter = deadLetter;
        return outcome;
    }
}
