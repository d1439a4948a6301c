package io.facestream.sql;

import io.facestream.detect.FaceImages;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AsyncScalarFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;

/**
 * {@code anonymize_faces(image BYTES) -> BYTES}: an asynchronous scalar function giving the image
 * encoded anew at its size, upright and without metadata, with every face covered, faces scoring
 * below the score threshold but at least {@code facestream.anonymize-threshold} included. An image it
 * cannot process (empty, corrupt, too large, timed out, the model failing) gives NULL, never the
 * image as it came: a bad image never fails the query, and never leaves uncovered.
 * {@code detect_faces} on the same image tells why.
 *
 * <pre>{@code
 * CREATE FUNCTION anonymize_faces AS 'io.facestream.sql.AnonymizeFaces';
 * SELECT i.id, anonymize_faces(i.image) AS anonymized FROM images AS i;
 * }</pre>
 *
 * <p>As {@link DetectFaces}: {@link #open} loads the model once per subtask with a fixed pool of
 * inference threads ({@link SubtaskInference}), and {@link #eval} only submits the image to it, so the
 * task thread is not held while an image is decoded, detected, covered and encoded; the planner runs
 * the calls in an async operator of their own ({@code AsyncCalc}), in input order,
 * {@code table.exec.async-scalar.max-concurrent-operations} of them in flight per subtask.
 */
public class AnonymizeFaces extends AsyncScalarFunction implements SpecializedFunction {

    private static final long serialVersionUID = 1L;
    static final String NAME = "anonymize_faces";

    /** Null until planned when registered by class name: the planner's configuration gives them. */
    private final AnonymizeFacesSettings settings;
    /** The async operator's capacity, which bounds the inference pool's queue; the option's default until planned. */
    private final int capacity;

    private transient SubtaskInference inference;

    /** For {@code CREATE FUNCTION ... AS 'io.facestream.sql.AnonymizeFaces'}: settings from the {@code facestream.*} options. */
    public AnonymizeFaces() {
        this(null);
    }

    /** For the Table API: these settings, whatever the configuration says. */
    public AnonymizeFaces(AnonymizeFacesSettings settings) {
        this(settings, ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_MAX_CONCURRENT_OPERATIONS.defaultValue());
    }

    private AnonymizeFaces(AnonymizeFacesSettings settings, int capacity) {
        this.settings = settings;
        this.capacity = capacity;
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
        AnonymizeFacesSettings planned = settings != null ? settings : AnonymizeFacesSettings.fromConfig(context.getConfiguration());
        planned.checkWithin(context.getConfiguration());
        return new AnonymizeFaces(planned,
                context.getConfiguration().get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_MAX_CONCURRENT_OPERATIONS));
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        AnonymizeFacesSettings chosen = settings != null ? settings : AnonymizeFacesSettings.defaults();
        inference = SubtaskInference.open(NAME, chosen.detection(), chosen.images(), capacity);
    }

    public void eval(CompletableFuture<byte[]> result, byte[] image) {
        inference.call(image, result, null, AnonymizeFaces::anonymized, AnonymizeFaces::withheld);
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
