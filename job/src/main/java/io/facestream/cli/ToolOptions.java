package io.facestream.cli;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The options only the tools take, declared once: like the job's, the flag is {@code --KEY} and a
 * {@code --config} file's key the key. A key some commands share with a different meaning (a
 * command's {@code --images}, {@code --out}, {@code --parallelism}) is one option per meaning, named
 * after its command: each command's default is its own.
 */
final class ToolOptions {

    private ToolOptions() {}

    // local

    static final ConfigOption<String> LOCAL_IMAGES = key("images").stringType().defaultValue("testdata")
            .withDescription("Folder of images to send (not searched recursively; with --track it is, each folder "
                    + "a source whose images are its frames in name order).");

    static final ConfigOption<String> LOCAL_OUT = key("out").stringType().defaultValue("out")
            .withDescription("Where detections.jsonl, errors.jsonl and the annotated pictures go.");

    static final ConfigOption<LocalCommand.Annotate> ANNOTATE = key("annotate").enumType(LocalCommand.Annotate.class)
            .defaultValue(LocalCommand.Annotate.JPEG)
            .withDescription("An annotated picture per result (boxes, scores, landmarks), <image>.annotated.jpg or .png, "
                    + "drawn by a thread per processor beside the job: results and their latencies never wait for a "
                    + "picture. none for no pictures.");

    static final ConfigOption<Integer> LOCAL_PARALLELISM = key("parallelism").intType().defaultValue(2)
            .withDescription("Parallel subtasks.");

    static final ConfigOption<Duration> WAIT = key("wait").durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Give up if not every image has a result or error by then.");

    // local and produce: images as the frames of a source

    static final ConfigOption<Duration> FRAME_INTERVAL = key("frame-interval").durationType().defaultValue(Duration.ofMillis(40))
            .withDescription("Event time between one frame of a source and the next where image files are sent as frames "
                    + "(local --track, produce --source): the first frame's event time is the moment sending starts.");

    // topics

    static final ConfigOption<Integer> PARTITIONS = key("partitions").intType().defaultValue(2)
            .withDescription("Partitions of new topics.");

    static final ConfigOption<Integer> REPLICATION_FACTOR = key("replication-factor").intType().defaultValue(1)
            .withDescription("Replication factor of new topics.");

    // produce

    static final ConfigOption<List<String>> PRODUCE_IMAGES = key("images").stringType().asList().noDefaultValue()
            .withDescription("Image files, or folders searched recursively for jpg, png, bmp, webp, tiff and pnm files "
                    + "(repeatable). Default: none (give --images or --video).");

    static final ConfigOption<Boolean> REFERENCE = key("reference").booleanType().defaultValue(false)
            .withDescription("Send each image's absolute file: URI (imageUri) instead of its bytes, for images over "
                    + "Kafka's message limit; every TaskManager must see the same path. Avro only.");

    static final ConfigOption<String> SOURCE = key("source").stringType().noDefaultValue()
            .withDescription("Send the images as frames of this source (camera, stream), in the order given (a folder's "
                    + "files in name order), event times --frame-interval apart: the source is every record's key (with "
                    + "--input-format raw, whose key is the event id: the header --source-field, on the partition the "
                    + "source's name would have as a key). Default: none (keys are event ids, event times the moment of "
                    + "sending); with --video the video file's name without its extension.");

    static final ConfigOption<String> VIDEO = key("video").stringType().noDefaultValue()
            .withDescription("Send the frames of this video file instead of images, as frames of one source (--source), "
                    + "each a JPEG whose event time is the moment sending starts plus the frame's own timestamp in the "
                    + "video. The bundled OpenCV reads Motion JPEG AVI only (no FFmpeg). Default: none (--images).");

    static final ConfigOption<Double> FPS = key("fps").doubleType().noDefaultValue()
            .withDescription("With --video: send at most this many frames per second of video time, the first of each "
                    + "1/N s. Default: none (every frame).");

    static final ConfigOption<Map<String, String>> PRODUCER_PROPERTIES = key("producer-property").mapType().noDefaultValue()
            .withDescription("Extra Kafka producer property (repeatable), e.g. max.request.size=16777216 for large images.");

    // consume and render: reading the output topics

    static final ConfigOption<ResultTopicOptions.From> FROM = key("from").enumType(ResultTopicOptions.From.class)
            .defaultValue(ResultTopicOptions.From.EARLIEST)
            .withDescription("Start at the topic's beginning, or at its end (only what comes next; with --follow). "
                    + "With --group-id, where the group left off.");

    static final ConfigOption<Boolean> FOLLOW = key("follow").booleanType().defaultValue(false)
            .withDescription("Keep reading new results until stopped (Ctrl-C), instead of stopping at the end as of the start.");

    static final ConfigOption<Long> MAX_MESSAGES = key("max-messages").longType().defaultValue(0L)
            .withDescription("Stop after N records; 0 = no limit.");

    static final ConfigOption<String> READER_GROUP_ID = key("group-id").stringType().noDefaultValue()
            .withDescription("Consumer group whose committed offsets to resume from and commit to. Default: none "
                    + "(reads without a group and commits nothing).");

    static final ConfigOption<Map<String, String>> READER_CONSUMER_PROPERTIES = key("consumer-property").mapType()
            .noDefaultValue()
            .withDescription("Extra Kafka consumer property (repeatable); isolation.level stays read_committed.");

    static final ConfigOption<Boolean> DEAD_LETTERS = key("dead-letters").booleanType().defaultValue(false)
            .withDescription("Read the dead-letter topic instead of the results.");

    // render

    static final ConfigOption<String> RENDER_IMAGES = key("images").stringType().noDefaultValue()
            .withDescription("Folder holding the original images.");

    static final ConfigOption<String> RENDER_OUT = key("out").stringType().defaultValue("out/rendered")
            .withDescription("Where the annotated PNGs go.");

    static final ConfigOption<String> DETECTIONS = key("detections").stringType().noDefaultValue()
            .withDescription("Read results from this detections.jsonl instead of a topic. Default: none (read the output topic).");

    // detect

    static final ConfigOption<List<String>> INPUT = key("input").stringType().asList().noDefaultValue()
            .withDescription("Image files or folders (repeatable).");

    static final ConfigOption<String> OUTPUT = key("output").stringType().noDefaultValue()
            .withDescription("Where to write the results.");

    static final ConfigOption<DetectCommand.Format> FORMAT = key("format").enumType(DetectCommand.Format.class)
            .defaultValue(DetectCommand.Format.JSONL)
            .withDescription("jsonl: DIR/detections.jsonl, one FaceDetectionResult per image in Avro's JSON encoding, as "
                    + "local and consume write it; wider: DIR/<event>/<name>.txt in the WIDER FACE submission layout.");

    static final ConfigOption<String> CROPS = key("crops").stringType().noDefaultValue()
            .withDescription("Also write an aligned crop of each face here: DIR/<image path>.face<N>.jpg, N its index in "
                    + "the image's result. Default: none.");

    static final ConfigOption<String> ANONYMIZE = key("anonymize").stringType().noDefaultValue()
            .withDescription("Also write each image with every face covered here, encoded anew with no metadata: "
                    + "DIR/<image path>.jpg (or .png with --anonymized-format png). Never for an image that failed. Default: none.");

    /** No fixed default: {@link #threads} computes it on the machine that runs {@code detect}. */
    static final ConfigOption<Integer> THREADS = key("threads").intType().noDefaultValue()
            .withDescription("Images detected in parallel, each on its own inference thread with one ONNX Runtime thread. "
                    + "Default: the available processors (Runtime.availableProcessors() of the JVM).");

    // evaluate

    static final ConfigOption<String> GROUND_TRUTH = key("gt").stringType().noDefaultValue()
            .withDescription("Ground truth: gt.jsonl or wider_face_val_bbx_gt.txt (told apart by name, or by a leading '{').");

    static final ConfigOption<String> PREDICTIONS = key("pred").stringType().noDefaultValue()
            .withDescription("Detections: DIR/<event>/<name>.txt per image <event>/<name>.jpg (name, count, then "
                    + "'x y w h score' lines), as 'detect --format wider' writes them. An image without a file counts as "
                    + "no detections.");

    static final ConfigOption<Double> IOU = key("iou").doubleType().defaultValue(0.5)
            .withDescription("Least IoU at which a detection finds a face, 0.5 in the official protocol.");

    static final ConfigOption<String> EASY = key("easy").stringType().noDefaultValue()
            .withDescription("Keep-list of the easy level: the official wider_easy_val.mat (names from its "
                    + "event_list/file_list, or from wider_face_val.mat in the same folder), or text with one "
                    + "'<event>/<name>.jpg i j k' line per image (1-based indices of the faces that count). Give all three "
                    + "levels or none; they replace a gt.jsonl's in_* columns. Default: none (gt.jsonl's columns, or every face).");

    static final ConfigOption<String> MEDIUM = key("medium").stringType().noDefaultValue()
            .withDescription("Keep-list of the medium level (wider_medium_val.mat or text), as --easy.");

    static final ConfigOption<String> HARD = key("hard").stringType().noDefaultValue()
            .withDescription("Keep-list of the hard level (wider_hard_val.mat or text), as --easy.");

    /** {@link #THREADS} as given, else the processors available to this JVM. */
    static int threads(ReadableConfig options) {
        return options.getOptional(THREADS).orElseGet(() -> Runtime.getRuntime().availableProcessors());
    }
}
