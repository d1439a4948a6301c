package io.facestream.sql;

import io.facestream.avro.DeadLetterReason;
import io.facestream.detect.Deadline;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.ImageSkippedException;
import io.facestream.detect.ImageTask;
import io.facestream.detect.InferencePool;
import io.facestream.job.JobOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.functions.AsyncTableFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.types.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code detect_faces(image BYTES)}: an asynchronous table function giving exactly one row per
 * image, with its faces (the fields of {@code FaceDetectionResult}), or, for an image it cannot
 * process, {@code faces} null and the reason why. A bad image never fails the query.
 *
 * <pre>{@code
 * CREATE FUNCTION detect_faces AS 'io.facestream.sql.DetectFaces';
 * SELECT i.id, d.imageWidth, d.imageHeight, d.faces, d.errorReason
 * FROM images AS i, LATERAL TABLE(detect_faces(i.image)) AS d;
 * }</pre>
 *
 * <p>Like the job's operator, {@link #open} loads the model once per subtask and starts a fixed pool
 * of inference threads, each with its own predictor; {@link #eval} only hands the image to that pool.
 */
@FunctionHint(output = @DataTypeHint(DetectFaces.OUTPUT_TYPE))
public class DetectFaces extends AsyncTableFunction<Row> implements SpecializedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DetectFaces.class);

    private static final String POINT = "ROW<x FLOAT, y FLOAT>";
    /** One face, laid out as the Avro {@code Face} record. */
    static final String FACE_TYPE = "ROW<score FLOAT, box ROW<x1 FLOAT, y1 FLOAT, x2 FLOAT, y2 FLOAT>, "
            + "landmarks ROW<leftEye " + POINT + ", rightEye " + POINT + ", nose " + POINT
            + ", leftMouthCorner " + POINT + ", rightMouthCorner " + POINT + ">>";
    public static final String OUTPUT_TYPE = "ROW<faces ARRAY<" + FACE_TYPE + ">, imageWidth INT, imageHeight INT, "
            + "errorReason STRING, errorMessage STRING>";

    /** Null until planned when registered by class name: the planner's configuration gives them. */
    private final DetectFacesSettings settings;
    /** The async operator's capacity, which bounds the inference pool's queue; the option's default until planned. */
    private final int capacity;

    private transient InferencePool inferencePool;
    private transient long timeoutMillis;
    private transient List<Row> timedOut;

    /** For {@code CREATE FUNCTION ... AS 'io.facestream.sql.DetectFaces'}: settings from the {@code facestream.*} options. */
    public DetectFaces() {
        this(null);
    }

    /** For the Table API: these settings, whatever the configuration says. */
    public DetectFaces(DetectFacesSettings settings) {
        this(settings, ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_MAX_CONCURRENT_OPERATIONS.defaultValue());
    }

    private DetectFaces(DetectFacesSettings settings, int capacity) {
        this.settings = settings;
        this.capacity = capacity;
    }

    /** Called by the planner: settles and checks the settings before the query runs. */
    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        DetectFacesSettings planned = settings != null ? settings : DetectFacesSettings.fromConfig(context.getConfiguration());
        planned.checkWithin(context.getConfiguration());
        return new DetectFaces(planned,
                context.getConfiguration().get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_MAX_CONCURRENT_OPERATIONS));
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        DetectFacesSettings chosen = settings != null ? settings : DetectFacesSettings.defaults();
        timeoutMillis = chosen.timeout().toMillis();
        timedOut = List.of(error(DeadLetterReason.TIMEOUT, String.format(
                "Detection did not finish within %d ms. Raise %s, add parallelism or %s, or lower "
                        + "table.exec.async-table.max-concurrent-operations (images wait behind each other).",
                timeoutMillis, DetectFacesSettings.key(JobOptions.TIMEOUT), DetectFacesSettings.key(JobOptions.INFERENCE_THREADS))));
        inferencePool = InferencePool.load(chosen.detector(), chosen.inferenceThreads(), capacity, "facestream-sql-inference");
        FaceDetector detector = inferencePool.detector();
        LOG.info("detect_faces loaded {} (sha256 {}) with {} inference thread(s)", detector.modelName(),
                detector.modelSha256(), chosen.inferenceThreads());
    }

    public void eval(CompletableFuture<Collection<Row>> result, byte[] image) {
        Deadline deadline = Deadline.after(Duration.ofMillis(timeoutMillis), System.nanoTime());
        result.completeOnTimeout(timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            inferencePool.detect(new ImageTask() {
                @Override
                public byte[] encodedImage() {
                    return image;
                }

                @Override
                public Deadline deadline() {
                    // A call that timed out while queued has its row already: the pool skips it.
                    return deadline;
                }

                @Override
                public String contentType() {
                    return null;
                }

                @Override
                public void detected(ImageDetections detections, long startedNanos) {
                    Row[] faces = detections.faces().stream().map(DetectFaces::faceRow).toArray(Row[]::new);
                    result.complete(List.of(Row.of(faces, detections.width(), detections.height(), null, null)));
                }

                @Override
                public void failed(Throwable failure, long startedNanos) {
                    result.complete(failure instanceof ImageSkippedException skipped ? skippedRow(skipped)
                            : List.of(failureRow(failure)));
                }
            });
        } catch (RejectedExecutionException e) {
            // Only while closing; the row is replayed from the last checkpoint.
            result.completeExceptionally(e);
        }
    }

    private List<Row> skippedRow(ImageSkippedException skipped) {
        if (skipped.why() == ImageSkippedException.Why.EXPIRED) {
            return timedOut;
        }
        return List.of(error(DeadLetterReason.TIMEOUT, "The subtask is overloaded: " + skipped.getMessage()
                + ". The image was not run. Add parallelism or " + DetectFacesSettings.key(JobOptions.INFERENCE_THREADS)
                + ", send smaller images, or raise " + DetectFacesSettings.key(JobOptions.TIMEOUT) + "."));
    }

    private static Row failureRow(Throwable failure) {
        if (failure instanceof ImageRejectedException rejected) {
            return error(rejected.reason(), rejected.getMessage());
        }
        LOG.warn("detect_faces failed on an image", failure);
        return error(DeadLetterReason.INFERENCE_FAILED, "Detection failed unexpectedly: " + failure
                + ". Report it if valid images fail.");
    }

    static Row faceRow(DetectedFace face) {
        Row[] points = new Row[DetectedFace.LANDMARK_COUNT];
        for (int i = 0; i < points.length; i++) {
            points[i] = Row.of(face.landmarkX(i), face.landmarkY(i));
        }
        return Row.of(face.score(), Row.of(face.x1(), face.y1(), face.x2(), face.y2()), Row.of((Object[]) points));
    }

    private static Row error(DeadLetterReason reason, String message) {
        return Row.of(null, null, null, reason.name(), message);
    }

    @Override
    public void close() throws Exception {
        if (inferencePool != null) {
            inferencePool.close();
        }
    }
}
