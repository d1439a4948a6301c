import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.job.FaceDetection;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.track.TrackingSettings;
import java.nio.ByteBuffer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.ImageDetections;
import io.facestream.eval.TrackingGroundTruth;
import io.facestream.eval.TrackingScore;
import io.facestream.eval.TrackingSequence;
import io.facestream.job.Results;
import io.facestream.output.OutputRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Face tracking on a made-up sequence (io.facestream.eval.TrackingSequence): two faces cross, a third
 * is hidden for a few frames, frames arrive a little out of order.
 *
 * make:  writes the frames (frame-000.jpg, ...) and DIR/ground-truth.json, and prints the ground truth's shape.
 * check: the default detector alone on every frame against the ground truth; writes DIR/oracle.jsonl, the
 *        detections with each face given the track id of the ground-truth face it overlaps most (IoU >= 0.5),
 *        so that 'score' on it gives the best a tracker could do with these detections.
 * run:   the sequence through the job's detection and tracking stage (FaceDetection, tracking on) on a local
 *        Flink cluster, frames in their arrival order; writes OUT_DIR/detections.jsonl and scores it.
 * score: MOTA, IDF1, ID switches, FP, FN and per identity the share of its frames under its main track id,
 *        for any detections.jsonl (Avro's JSON encoding of FaceDetectionResult, faces[].trackId).
 *
 * java -cp job/target/facestream.jar job/bench/TrackingBench.java make DIR [FRAMES] [SEED]
 * java -cp job/target/facestream.jar job/bench/TrackingBench.java check DIR
 * java -cp job/target/facestream.jar job/bench/TrackingBench.java run DIR OUT_DIR
 * java -cp job/target/facestream.jar job/bench/TrackingBench.java score DIR/ground-truth.json DETECTIONS.jsonl
 */
public class TrackingBench {

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "make" -> make(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : TrackingSequence.Settings.DEFAULT_FRAMES,
                    args.length > 3 ? Long.parseLong(args[3]) : TrackingSequence.Settings.DEFAULT_SEED);
            case "check" -> check(Path.of(args[1]));
            case "run" -> run(Path.of(args[1]), Path.of(args[2]));
            case "score" -> score(Path.of(args[1]), Path.of(args[2]));
            default -> {
                System.err.println("usage: TrackingBench.java make DIR [FRAMES] [SEED] | check DIR | run DIR OUT_DIR"
                        + " | score GROUND_TRUTH.json DETECTIONS.jsonl");
                System.exit(2);
            }
        }
    }

    private static void make(Path dir, int frames, long seed) throws Exception {
        TrackingSequence.Settings settings = TrackingSequence.Settings.defaults().withFrames(frames).withSeed(seed);
        long started = System.nanoTime();
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults());
             FaceDetector.Session session = detector.newSession()) {
            TrackingSequence sequence = TrackingSequence.generate(Path.of("testdata"), session, settings);
            sequence.write(dir);
            System.out.printf("wrote %d frames and %s to %s in %.1f s (seed %d; reference boxes by %s, %s)%n", frames,
                    TrackingSequence.GROUND_TRUTH_FILE, dir, (System.nanoTime() - started) / 1e9, seed,
                    detector.modelName(), detector.settings().precision());
            describe(sequence.groundTruth());
        }
    }

    /** The ground truth's shape: faces per frame, overlapping boxes, hidden frames, how late frames arrive. */
    private static void describe(TrackingGroundTruth truth) {
        Map<Integer, Integer> facesPerFrame = new TreeMap<>();
        List<Integer> overlapping = new ArrayList<>();
        List<Integer> hidden = new ArrayList<>();
        double maxIou = 0;
        double minVisibility = 1;
        String leastVisible = "";
        for (TrackingGroundTruth.Frame frame : truth.frames()) {
            facesPerFrame.merge(frame.faces().size(), 1, Integer::sum);
            if (!frame.hidden().isEmpty()) {
                hidden.add(frame.index());
            }
            boolean overlaps = false;
            for (int a = 0; a < frame.faces().size(); a++) {
                TrackingGroundTruth.Face fa = frame.faces().get(a);
                if (fa.visibility() < minVisibility) {
                    minVisibility = fa.visibility();
                    leastVisible = fa.id() + " in frame " + frame.index();
                }
                for (int b = a + 1; b < frame.faces().size(); b++) {
                    TrackingGroundTruth.Face fb = frame.faces().get(b);
                    double iou = fa.iou(fb.x1(), fb.y1(), fb.x2(), fb.y2());
                    if (iou > 0) {
                        overlaps = true;
                        maxIou = Math.max(maxIou, iou);
                    }
                }
            }
            if (overlaps) {
                overlapping.add(frame.index());
            }
        }
        int faces = truth.frames().stream().mapToInt(f -> f.faces().size()).sum();
        System.out.printf("frames %d, faces %d; faces per frame (count: frames) %s%n", truth.frames().size(), faces, facesPerFrame);
        System.out.printf("frames with overlapping boxes: %d %s, highest IoU between two faces %.3f; least visible face %.2f (%s)%n",
                overlapping.size(), ranges(overlapping), maxIou, minVisibility, leastVisible);
        System.out.printf("frames with a hidden face: %d %s%n", hidden.size(), ranges(hidden));
        int displaced = 0;
        int maxLateness = 0;
        int newest = -1;
        for (int p = 0; p < truth.arrivalOrder().size(); p++) {
            int index = Integer.parseInt(truth.arrivalOrder().get(p).replaceAll("\\D", ""));
            if (index != p) {
                displaced++;
            }
            maxLateness = Math.max(maxLateness, newest - index);
            newest = Math.max(newest, index);
        }
        System.out.printf("arrival: %d of %d frames out of place; the latest arrives %d frame(s) (%d ms) behind the newest%n",
                displaced, truth.arrivalOrder().size(), maxLateness, maxLateness * TrackingSequence.FRAME_MILLIS);
        for (TrackingGroundTruth.Identity identity : truth.identities()) {
            System.out.printf("  %-10s from %-14s face height %d px: %s%n", identity.id(), identity.photo(),
                    identity.faceHeight(), identity.path());
        }
    }

    private static String ranges(List<Integer> indexes) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < indexes.size(); i++) {
            int start = indexes.get(i);
            while (i + 1 < indexes.size() && indexes.get(i + 1) == indexes.get(i) + 1) {
                i++;
            }
            out.append(out.length() > 1 ? ", " : "").append(start == indexes.get(i) ? "" + start : start + ".." + indexes.get(i));
        }
        return out.append("]").toString();
    }

    private static void check(Path dir) throws Exception {
        TrackingGroundTruth truth = TrackingGroundTruth.read(dir.resolve(TrackingSequence.GROUND_TRUTH_FILE));
        List<String> lines = new ArrayList<>();
        int detected = 0;
        long nanos = 0;
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults());
             FaceDetector.Session session = detector.newSession()) {
            for (TrackingGroundTruth.Frame frame : truth.frames()) {
                byte[] jpeg = Files.readAllBytes(dir.resolve(frame.eventId()));
                long started = System.nanoTime();
                ImageDetections detections = session.detect(jpeg, "image/jpeg");
                nanos += System.nanoTime() - started;
                FaceDetectionResult result = Results.of(frame.eventId(), Instant.ofEpochMilli(frame.eventTimeMillis()), null,
                        Results.model(detector), detections, 0, 0);
                detected += result.getFaces().size();
                for (Face face : result.getFaces()) {
                    face.setTrackId(oracleTrack(frame, face));
                }
                lines.add(OutputRecords.json(result));
            }
        }
        Path oracle = dir.resolve("oracle.jsonl");
        Files.write(oracle, lines, StandardCharsets.UTF_8);
        System.out.printf("default detector: %d faces in %d frames, %.0f ms per frame; wrote %s%n", detected,
                truth.frames().size(), nanos / 1e6 / truth.frames().size(), oracle);
        System.out.println("a tracker that always knew the identity (the best these detections allow):");
        score(dir.resolve(TrackingSequence.GROUND_TRUTH_FILE), oracle);
    }

    /** The id of the ground-truth face this face overlaps most, at IoU >= 0.5; null (a false face) otherwise. */
    private static String oracleTrack(TrackingGroundTruth.Frame frame, Face face) {
        String best = null;
        double bestIou = TrackingScore.MIN_IOU;
        for (TrackingGroundTruth.Face truth : frame.faces()) {
            var box = face.getBox();
            double iou = truth.iou(box.getX1(), box.getY1(), box.getX2(), box.getY2());
            if (iou >= bestIou) {
                best = "oracle-" + truth.id();
                bestIou = iou;
            }
        }
        return best;
    }

    /**
     * The tracker on the sequence, through the job's own stage (FaceDetection with tracking on, defaults but
     * the source field) on a local Flink cluster: the frames in the ground truth's arrival order, each an
     * ImageEvent of one camera with the frame's event time. Writes OUT_DIR/detections.jsonl and scores it.
     */
    private static void run(Path dir, Path out) throws Exception {
        TrackingGroundTruth truth = TrackingGroundTruth.read(dir.resolve("ground-truth.json"));
        Map<String, Long> eventTimes = new TreeMap<>();
        truth.frames().forEach(frame -> eventTimes.put(frame.eventId(), frame.eventTimeMillis()));
        List<ImageEvent> events = new ArrayList<>();
        for (String eventId : truth.arrivalOrder()) {
            events.add(ImageEvent.newBuilder().setEventId(eventId).setEventTime(Instant.ofEpochMilli(eventTimes.get(eventId)))
                    .setContentType("image/jpeg").setImageBytes(ByteBuffer.wrap(Files.readAllBytes(dir.resolve(eventId))))
                    .setMetadata(Map.of("camera", "sequence")).build());
        }
        // One subtask, so that the frames enter in the arrival order the ground truth gives.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        TrackingSettings tracking = TrackingSettings.builder().enabled(true).sourceField("camera").build();
        FaceDetection.Streams streams = FaceDetection.detect(env.fromData(new AvroTypeInfo<>(ImageEvent.class), events.toArray(ImageEvent[]::new)),
                FaceDetectionSettings.defaults(), tracking);
        long started = System.nanoTime();
        List<FaceDetectionResult> results = new ArrayList<>();
        try (CloseableIterator<FaceDetectionResult> collected = streams.results().executeAndCollect()) {
            collected.forEachRemaining(results::add);
        }
        System.out.printf("run: %d frames through detection and tracking (%s) in %.1f s%n", results.size(), tracking,
                (System.nanoTime() - started) / 1e9);
        Files.createDirectories(out);
        Path detections = out.resolve("detections.jsonl");
        List<String> lines = new ArrayList<>();
        results.forEach(result -> lines.add(OutputRecords.json(result)));
        Files.write(detections, lines, StandardCharsets.UTF_8);
        score(dir.resolve("ground-truth.json"), detections);
    }

    private static void score(Path groundTruth, Path detections) throws Exception {
        TrackingGroundTruth truth = TrackingGroundTruth.read(groundTruth);
        List<FaceDetectionResult> results = new ArrayList<>();
        for (String line : Files.readAllLines(detections, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                results.add(OutputRecords.resultFromJson(line));
            }
        }
        TrackingScore score = TrackingScore.of(truth, TrackingScore.trackedFaces(results));
        System.out.print(score.summary());
    }
}
