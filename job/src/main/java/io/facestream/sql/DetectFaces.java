package io.facestream.sql;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.detect.FaceImagesSettings;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import io.facestream.job.DeadLetterReasons;
import io.facestream.job.Results;
import io.facestream.job.JobOptions;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.formats.avro.typeutils.AvroSchemaConverter;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.AsyncTableFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.table.types.CollectionDataType;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;
import org.apache.flink.table.types.logical.RowType;

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
 * of inference threads, each with its own predictor ({@link SubtaskInference}); {@link #eval} only
 * submits the image to that pool.
 */
public class DetectFaces extends AsyncTableFunction<RowData> implements SpecializedFunction {

    private static final long serialVersionUID = 1L;
    static final String NAME = "detect_faces";

    /** FaceDetectionResult as Flink's Avro format types it: the columns come from the record, not from a copy of it. */
    private static final DataType RESULT_TYPE = AvroSchemaConverter.convertToDataType(FaceDetectionResult.getClassSchema().toString());
    /**
     * One face: the Avro {@code Face} record's row (every field NOT NULL, as in the record) but its last,
     * {@code trackId}: a function of one image has no frames before it to track a face over (the job's
     * {@code --track} does that), and {@code UNNEST(d.faces) AS f(score, box, landmarks)} keeps working.
     * Flink's converter reads the record's fields by position, so only the last field may be left out.
     */
    private static final DataType FACE_TYPE = withoutLastField(((CollectionDataType) resultField("faces")).getElementDataType(),
            "trackId");
    /**
     * The result's faces and image size, nullable here since an image that could not be processed has
     * none, then the reason why.
     */
    public static final DataType OUTPUT_TYPE = DataTypes.ROW(
                    DataTypes.FIELD("faces", DataTypes.ARRAY(FACE_TYPE).nullable()),
                    DataTypes.FIELD("imageWidth", resultField("imageWidth").nullable()),
                    DataTypes.FIELD("imageHeight", resultField("imageHeight").nullable()),
                    DataTypes.FIELD("errorReason", DataTypes.STRING()),
                    DataTypes.FIELD("errorMessage", DataTypes.STRING()))
            .bridgedTo(RowData.class);

    /** Null until planned when registered by class name: the planner's configuration gives them. */
    private final DetectFacesSettings settings;
    /** The async operator's capacity, which bounds the inference pool's queue; the option's default until planned. */
    private final int capacity;

    private transient SubtaskInference inference;
    private transient List<RowData> timedOut;
    /** Flink's own Avro-to-row conversion, as its Avro format reads the record: one mapping from the record to the row. */
    private transient AvroToRowDataConverters.AvroToRowDataConverter faceRow;

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

    private static DataType withoutLastField(DataType row, String name) {
        List<String> names = DataType.getFieldNames(row);
        if (!names.get(names.size() - 1).equals(name)) {
            throw new IllegalStateException(name + " is no longer the last field of " + row);
        }
        List<DataType> types = DataType.getFieldDataTypes(row);
        DataTypes.Field[] fields = new DataTypes.Field[names.size() - 1];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = DataTypes.FIELD(names.get(i), types.get(i));
        }
        return DataTypes.ROW(fields).notNull();
    }

    private static DataType resultField(String name) {
        return DataType.getFieldDataTypes(RESULT_TYPE).get(DataType.getFieldNames(RESULT_TYPE).indexOf(name));
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .staticArguments(StaticArgument.scalar("image", DataTypes.BYTES(), false))
                .outputTypeStrategy(TypeStrategies.explicit(OUTPUT_TYPE))
                .build();
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
        faceRow = AvroToRowDataConverters.createRowConverter((RowType) FACE_TYPE.getLogicalType());
        timedOut = List.of(error(DeadLetterReason.TIMEOUT.name(), String.format(
                "Detection did not finish within %d ms. Raise %s, add parallelism or %s, or lower "
                        + "table.exec.async-table.max-concurrent-operations (images wait behind each other).",
                chosen.timeout().toMillis(), DetectFacesSettings.key(JobOptions.TIMEOUT),
                DetectFacesSettings.key(JobOptions.INFERENCE_THREADS))));
        inference = SubtaskInference.open(NAME, chosen, FaceImagesSettings.none(), capacity);
    }

    public void eval(CompletableFuture<Collection<RowData>> result, byte[] image) {
        inference.call(image, result, timedOut, detections -> List.of(row(detections)), this::failureRows);
    }

    private RowData row(ImageDetections detections) {
        Object[] faces = detections.faces().stream().map(face -> faceRow.convert(Results.toAvro(face))).toArray();
        return GenericRowData.of(new GenericArrayData(faces), detections.width(), detections.height(), null, null);
    }

    private List<RowData> failureRows(ImageRejectedException rejected) {
        String reason = DeadLetterReasons.of(rejected.reason()).name();
        return switch (rejected.reason()) {
            case EXPIRED -> timedOut;
            case OVERLOADED -> List.of(error(reason, "The subtask is overloaded: " + rejected.getMessage()
                    + ". The image was not run. Add parallelism or " + DetectFacesSettings.key(JobOptions.INFERENCE_THREADS)
                    + ", send smaller images, or raise " + DetectFacesSettings.key(JobOptions.TIMEOUT) + "."));
            case FAILED_UNEXPECTEDLY -> List.of(error(reason, rejected.getMessage() + ". Report it if valid images fail."));
            default -> List.of(error(reason, rejected.getMessage()));
        };
    }

    private static RowData error(String reason, String message) {
        return GenericRowData.of(null, null, null, StringData.fromString(reason), StringData.fromString(message));
    }

    @Override
    public void close() throws Exception {
        if (inference != null) {
            inference.close();
        }
    }
}
