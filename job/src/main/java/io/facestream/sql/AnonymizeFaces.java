package io.facestream.sql;

import io.facestream.detect.FaceImages;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;

/**
 * {@code anonymize_faces(image BYTES) -> BYTES}: a scalar function giving the image encoded anew at its
 * size, upright and without metadata, with every face covered, faces scoring below the score threshold
 * but at least {@code facestream.anonymize-threshold} included. An image it cannot process (empty,
 * corrupt, too large, timed out, the model failing) gives NULL, never the image as it came: a bad
 * image never fails the query, and never leaves uncovered. {@code detect_faces} on the same image tells why.
 *
 * <pre>{@code
 * CREATE FUNCTION anonymize_faces AS 'io.facestream.sql.AnonymizeFaces';
 * SELECT i.id, anonymize_faces(i.image) AS anonymized FROM images AS i;
 * }</pre>
 *
 * <p>{@link #open} loads the model once per subtask ({@link SubtaskInference}, as {@link DetectFaces});
 * {@link #eval} waits for its image, one at a time per subtask, so parallelism is what runs images side by
 * side. Synchronous on purpose, where {@code detect_faces} is asynchronous: Flink 2.3 runs an
 * {@code AsyncScalarFunction} in an {@code AsyncCalc} operator whose generated code passes the query's other
 * columns on without their null flags, so a NULL string or number selected beside the function came out as
 * {@code ''} or {@code -1} (docs/sql-and-datastream.md); a scalar function also runs in batch mode.
 */
public class AnonymizeFaces extends ScalarFunction implements SpecializedFunction {

    private static final long serialVersionUID = 1L;
    static final String NAME = "anonymize_faces";
    /** One image in flight per subtask: eval waits for it. */
    private static final int IN_FLIGHT = 1;

    /** Null until planned when registered by class name: the planner's configuration gives them. */
    private final AnonymizeFacesSettings settings;

    private transient SubtaskInference inference;

    /** For {@code CREATE FUNCTION ... AS 'io.facestream.sql.AnonymizeFaces'}: settings from the {@code facestream.*} options. */
    public AnonymizeFaces() {
        this(null);
    }

    /** For the Table API: these settings, whatever the configuration says. */
    public AnonymizeFaces(AnonymizeFacesSettings settings) {
        this.settings = settings;
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .staticArguments(StaticArgument.scalar("image", DataTypes.BYTES(), false))
                .outputTypeStrategy(TypeStrategies.explicit(DataTypes.BYTES()))
                .build();
    }

    /** Called by the planner: settles and checks the settings before the query runs. */
    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        return new AnonymizeFaces(settings != null ? settings : AnonymizeFacesSettings.fromConfig(context.getConfiguration()));
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        AnonymizeFacesSettings chosen = settings != null ? settings : AnonymizeFacesSettings.defaults();
        inference = SubtaskInference.open(NAME, chosen.detection(), chosen.images(), IN_FLIGHT);
    }

    public byte[] eval(byte[] image) {
        if (image == null) {
            return null;
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        inference.call(image, result, null, AnonymizeFaces::anonymized, AnonymizeFaces::withheld);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException("interrupted while anonymizing an image (the task is cancelled)", e);
        } catch (ExecutionException e) {
            // Only while closing; the row is replayed from the last checkpoint.
            throw new FlinkRuntimeException(e.getCause());
        }
    }

    private static byte[] anonymized(ImageDetections detections) {
        FaceImages.Anonymized anonymized = detections.images().anonymized();
        // The pool's sessions always anonymize (AnonymizeFacesSettings); were one not to, nothing may leave uncovered.
        return anonymized == null ? null : anonymized.bytes();
    }

    /** NULL for every image that could not be processed: returning it unchanged would leave its faces uncovered. */
    private static byte[] withheld(ImageRejectedException rejected) {
        return null;
    }

    @Override
    public void close() throws Exception {
        if (inference != null) {
            inference.close();
        }
    }
}
