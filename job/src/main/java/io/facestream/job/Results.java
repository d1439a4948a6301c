package io.facestream.job;

import io.facestream.avro.BoundingBox;
import io.facestream.avro.Face;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceLandmarks;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.ModelInfo;
import io.facestream.avro.Point;
import io.facestream.avro.SourceCoordinates;
import io.facestream.avro.StageTimings;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.FaceImages;
import io.facestream.detect.ImageDetections;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one mapping between the detector's output and the Avro result record: the job, the SQL
 * function, {@code detect} and the tools that draw results all go through here.
 */
public final class Results {

    private Results() {}

    public static FaceDetectionResult of(ImageEvent event, SourceCoordinates source, ModelInfo model,
                                         ImageDetections detections, long queueNanos, long totalNanos) {
        return of(event.getEventId(), event.getEventTime(), source, model, detections, queueNanos, totalNanos);
    }

    /**
     * @param queueNanos from the image being handed over to an inference thread taking it
     * @param totalNanos from the image being handed over to its detections being ready
     */
    public static FaceDetectionResult of(String eventId, Instant eventTime, SourceCoordinates source, ModelInfo model,
                                         ImageDetections detections, long queueNanos, long totalNanos) {
        List<Face> faces = new ArrayList<>(detections.faces().size());
        for (DetectedFace face : detections.faces()) {
            faces.add(toAvro(face));
        }
        return FaceDetectionResult.newBuilder()
                .setEventId(eventId)
                .setEventTime(eventTime)
                .setSource(source)
                .setImageWidth(detections.width())
                .setImageHeight(detections.height())
                .setModel(model)
                .setFaces(faces)
                .setTimings(StageTimings.newBuilder()
                        .setQueueMicros(queueNanos / 1000)
                        .setDecodeMicros(detections.decodeNanos() / 1000)
                        .setPreprocessMicros(detections.preprocessNanos() / 1000)
                        .setInferenceMicros(detections.inferenceNanos() / 1000)
                        .setPostprocessMicros(detections.postprocessNanos() / 1000)
                        .setTotalMicros(totalNanos / 1000)
                        .build())
                .setProcessedAt(Instant.now())
                .build();
    }

    /** The crops of {@code result}'s faces, each with its face as the result has it (track id included). */
    public static FaceCrop[] crops(FaceDetectionResult result, List<FaceImages.Crop> crops) {
        FaceCrop[] records = new FaceCrop[crops.size()];
        for (int i = 0; i < records.length; i++) {
            FaceImages.Crop crop = crops.get(i);
            Face face = result.getFaces().get(crop.faceIndex());
            records[i] = FaceCrop.newBuilder()
                    .setEventId(result.getEventId())
                    .setEventTime(result.getEventTime())
                    .setFaceIndex(crop.faceIndex())
                    .setTrackId(face.getTrackId())
                    .setScore(face.getScore())
                    .setBox(face.getBox())
                    .setLandmarks(face.getLandmarks())
                    .setSize(crop.face().size())
                    .setAlignmentErrorPx((float) crop.face().alignment().rmsErrorPx())
                    .setContentType(CROP_CONTENT_TYPE)
                    .setImage(ByteBuffer.wrap(crop.face().jpeg()))
                    .build();
        }
        return records;
    }

    /** Crops are JPEGs. */
    public static final String CROP_CONTENT_TYPE = "image/jpeg";

    /**
     * {@code event} with its image replaced by the anonymized one: the same id, event time and metadata, the
     * image inline (also where the event referred to it by imageUri) and its content type set.
     */
    public static ImageEvent anonymized(ImageEvent event, FaceImages.Anonymized anonymized) {
        return ImageEvent.newBuilder()
                .setEventId(event.getEventId())
                .setEventTime(event.getEventTime())
                .setContentType(anonymized.format().contentType)
                .setImageBytes(ByteBuffer.wrap(anonymized.bytes()))
                .setImageUri(null)
                .setMetadata(event.getMetadata())
                .build();
    }

    public static ModelInfo model(FaceDetector detector) {
        return new ModelInfo(detector.modelName(), detector.modelSha256());
    }

    public static Face toAvro(DetectedFace face) {
        return Face.newBuilder()
                .setScore(face.score())
                .setBox(new BoundingBox(face.x1(), face.y1(), face.x2(), face.y2()))
                .setLandmarks(new FaceLandmarks(point(face, 0), point(face, 1), point(face, 2), point(face, 3), point(face, 4)))
                .build();
    }

    public static DetectedFace fromAvro(Face face) {
        FaceLandmarks l = face.getLandmarks();
        Point[] points = {l.getLeftEye(), l.getRightEye(), l.getNose(), l.getLeftMouthCorner(), l.getRightMouthCorner()};
        float[] landmarks = new float[10];
        for (int p = 0; p < points.length; p++) {
            landmarks[2 * p] = points[p].getX();
            landmarks[2 * p + 1] = points[p].getY();
        }
        BoundingBox box = face.getBox();
        return new DetectedFace(face.getScore(), box.getX1(), box.getY1(), box.getX2(), box.getY2(), landmarks);
    }

    private static Point point(DetectedFace face, int index) {
        return new Point(face.landmarkX(index), face.landmarkY(index));
    }
}
