package io.facestream.job;

import io.facestream.schemas.AvroTrust;
import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;

/**
 * Exactly one of a result or a dead letter for one image event, and with a result the images made
 * from the event's image when asked for (never with a dead letter: an image that failed is not
 * anonymized). A Flink POJO.
 */
public class DetectionOutcome {

    static {
        AvroTrust.trustFaceStreamSchemas();
    }

    public FaceDetectionResult result;
    public DeadLetter deadLetter;
    /** The source (camera, stream) of the event, as its {@link SourcedImageEvent#streamSource}: what tracking keys by. */
    public String streamSource;
    /** With a result and crops asked for: the aligned crop of each face that scored enough; their track ids are the result's faces'. */
    public FaceCrop[] crops;
    /** With a result and anonymized images asked for: the event with its image anonymized. */
    public ImageEvent anonymized;
    /** With a result: faces that scored enough for a crop but got none (see {@link io.facestream.detect.FaceImages#cropsSkipped()}). */
    public int cropsSkipped;

    public DetectionOutcome() {}

    public static DetectionOutcome of(FaceDetectionResult result) {
        DetectionOutcome outcome = new DetectionOutcome();
        outcome.result = result;
        return outcome;
    }

    /** This outcome with {@code changed} as its result: what else it carries stays. */
    public DetectionOutcome withResult(FaceDetectionResult changed) {
        DetectionOutcome outcome = of(changed);
        outcome.streamSource = streamSource;
        outcome.crops = crops;
        outcome.anonymized = anonymized;
        outcome.cropsSkipped = cropsSkipped;
        return outcome;
    }

    public static DetectionOutcome of(DeadLetter deadLetter) {
        DetectionOutcome outcome = new DetectionOutcome();
        outcome.deadLetter = deadLetter;
        return outcome;
    }
}
