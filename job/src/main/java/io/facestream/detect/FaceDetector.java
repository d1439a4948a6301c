package io.facestream.detect;

import ai.djl.MalformedModelException;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded RetinaFace model. Thread-safe and meant to be shared (one per Flink subtask); each
 * inference thread opens its own {@link Session}, because a DJL predictor is not thread-safe.
 */
public final class FaceDetector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FaceDetector.class);

    private final DetectorSettings settings;
    private final Model model;
    private final String modelName;
    private final String modelSha256;
    private volatile boolean closed;

    private FaceDetector(DetectorSettings settings, Model model, String modelName, String modelSha256) {
        this.settings = settings;
        this.model = model;
        this.modelName = modelName;
        this.modelSha256 = modelSha256;
    }

    public static FaceDetector load(DetectorSettings settings) throws IOException {
        Natives.loadOpenCv();
        Natives.startOnnxRuntime();
        ModelFile file = ModelFile.load(settings.modelPath(), settings.precision());
        byte[] onnx = file.bytes();
        // An export saved with a fixed input size runs other sizes once its dimensions are symbolic.
        int[] fixed = OnnxShapes.fixedInputHeightWidth(onnx);
        boolean fixedSizeFits = fixed == null || fixed[0] == fixed[1] && settings.size().alwaysSquare(fixed[0]);
        if (!fixedSizeFits) {
            onnx = OnnxShapes.withSymbolicSpatialDims(onnx);
        }
        return new FaceDetector(settings, loadOnnx(file.name(), onnx, device(settings), settings.intraOpThreads()),
                file.name(), file.sha256());
    }

    /** The GPU when one was asked for and ONNX Runtime can use it; else the CPU, saying why. */
    static Device device(DetectorSettings settings) {
        if (settings.gpu() < 0) {
            return Device.cpu();
        }
        int gpus = 0;
        try {
            gpus = Engine.getEngine("OnnxRuntime").getGpuCount();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("GPU probe failed", e);
        }
        if (gpus > settings.gpu()) {
            LOG.info("ONNX Runtime runs on GPU {} (CUDA execution provider)", settings.gpu());
            return Device.gpu(settings.gpu());
        }
        LOG.warn("GPU {} asked for, but ONNX Runtime sees {} usable GPU(s): running on the CPU. The CUDA execution "
                + "provider needs an NVIDIA GPU with CUDA 12 and cuDNN 9, and the job built with -Pgpu "
                + "(com.microsoft.onnxruntime:onnxruntime_gpu).", settings.gpu(), gpus);
        return Device.cpu();
    }

    private static Model loadOnnx(String name, byte[] onnx, Device device, int intraOpThreads) throws IOException {
        Model model = Model.newInstance(name, device, "OnnxRuntime");
        String threads = Integer.toString(intraOpThreads);
        try {
            // One ORT thread per inference thread: parallelism comes from slots and inference threads.
            model.load(new ByteArrayInputStream(onnx), Map.of("intraOpNumThreads", threads, "interOpNumThreads", "1"));
            return model;
        } catch (MalformedModelException | IOException | RuntimeException e) {
            model.close();
            throw new IOException("Could not load the ONNX model " + name + ": " + e.getMessage(), e);
        }
    }

    public String modelName() {
        return modelName;
    }

    public String modelSha256() {
        return modelSha256;
    }

    public DetectorSettings settings() {
        return settings;
    }

    /**
     * Runs the model once on a blank image, so that a model whose outputs do not fit its
     * description fails here, with the decoder's message, rather than on the first real image.
     */
    public void selfTest() throws TranslateException {
        try (Session session = newSession();
             DecodedImage blank = new DecodedImage(org.opencv.core.Mat.zeros(64, 64, org.opencv.core.CvType.CV_8UC3))) {
            session.runModel(blank);
        }
    }

    /** Opens a session for the calling thread; not to be shared between threads. */
    public Session newSession() {
        return new Session();
    }

    @Override
    public void close() {
        closed = true;
        model.close();
    }

    boolean isClosed() {
        return closed;
    }

    /** One inference thread's decoder, buffers and predictor. */
    public final class Session implements AutoCloseable {
        private final ImageDecoder decoder = new ImageDecoder(settings.maxImageBytes(), settings.maxImagePixels());
        private final RetinaFaceTranslator translator = new RetinaFaceTranslator(settings.model(),
                settings.scoreThreshold(), settings.nmsThreshold());
        private final Predictor<RetinaFaceTranslator.Pass, ModelFaces> predictor = model.newPredictor(translator);

        private Session() {}

        /** Decodes and detects; rejects images it cannot decode or the model fails on. */
        public ImageDetections detect(byte[] encoded, String contentType) throws ImageRejectedException {
            long started = System.nanoTime();
            try (DecodedImage image = decoder.decode(encoded, contentType, settings.size())) {
                long decoded = System.nanoTime();
                return inOriginalPixels(image, runModelOrReject(image), decoded - started);
            }
        }

        private ModelFaces runModelOrReject(DecodedImage image) throws ImageRejectedException {
            try {
                return runModel(image);
            } catch (TranslateException | RuntimeException | LinkageError e) {
                throw new ImageRejectedException(RejectReason.INFERENCE_FAILED,
                        "The model failed on this " + image.width() + "x" + image.height() + " image: " + e.getMessage()
                                + ". If it persists for valid images, check the model with the 'detect' command.", e);
            }
        }

        /**
         * The faces in the original image's pixels, every box within the image. The model extends a face
         * that the image's edge cuts past that edge, over the tensor's padding (or past the tensor, for
         * exports whose reference does not clip). Landmarks stay where the model puts them, outside the
         * image for such a face.
         */
        private ImageDetections inOriginalPixels(DecodedImage image, ModelFaces detections, long decodeNanos) {
            float toOriginal = image.toOriginal();
            int maxX = image.originalWidth() - 1;
            int maxY = image.originalHeight() - 1;
            List<DetectedFace> faces = detections.faces().stream()
                    .map(face -> (toOriginal == 1 ? face : face.unscale(1 / toOriginal)).clipBox(maxX, maxY))
                    .toList();
            return new ImageDetections(image.originalWidth(), image.originalHeight(), faces,
                    decodeNanos, detections.preprocessNanos(), detections.inferenceNanos(), detections.postprocessNanos());
        }

        /**
         * Faces in the decoded image's pixels, highest score first: one model pass per input plan, merged
         * by box voting; boxes not yet clipped to the image (results are, see {@link #detect(byte[], String)}).
         */
        public ModelFaces runModel(DecodedImage image) throws TranslateException {
            List<SizePolicy.InputPlan> plans = settings.size().plans(image.width(), image.height());
            if (plans.size() == 1) {
                return predictor.predict(new RetinaFaceTranslator.Pass(image, plans.get(0)));
            }
            List<DetectedFace> all = new ArrayList<>();
            long preprocess = 0;
            long inference = 0;
            long postprocess = 0;
            for (SizePolicy.InputPlan plan : plans) {
                ModelFaces pass = predictor.predict(new RetinaFaceTranslator.Pass(image, plan));
                all.addAll(pass.faces());
                preprocess += pass.preprocessNanos();
                inference += pass.inferenceNanos();
                postprocess += pass.postprocessNanos();
            }
            long merging = System.nanoTime();
            List<DetectedFace> merged = BoxVoting.merge(all, BoxVoting.DEFAULT_IOU);
            if (settings.model().postNmsTopK > 0 && merged.size() > settings.model().postNmsTopK) {
                merged = merged.subList(0, settings.model().postNmsTopK);
            }
            return new ModelFaces(merged, preprocess, inference, postprocess + System.nanoTime() - merging);
        }

        @Override
        public void close() {
            predictor.close();
            translator.close();
        }
    }
}
