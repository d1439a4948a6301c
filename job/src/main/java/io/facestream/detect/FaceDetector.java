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
        return new Session(FaceImagesSettings.none());
    }

    /** Opens a session for the calling thread that also makes the face images {@code images} asks for. */
    public Session newSession(FaceImagesSettings images) {
        return new Session(images);
    }

    @Override
    public void close() {
        closed = true;
        model.close();
    }

    boolean isClosed() {
        return closed;
    }

    /** One inference thread's decoder, buffers and predictor, and what makes its face images. */
    public final class Session implements AutoCloseable {
        private final ImageDecoder decoder = new ImageDecoder(settings.maxImageBytes(), settings.maxImagePixels());
        private final FaceImagesSettings images;
        /** The model's threshold: the score threshold, or the lower cover threshold where faces are covered. */
        private final float modelThreshold;
        private final RetinaFaceTranslator translator;
        private final Predictor<RetinaFaceTranslator.Pass, ModelFaces> predictor;
        private final FaceAligner aligner;
        private final FaceAnonymizer anonymizer;

        private Session(FaceImagesSettings images) {
            this.images = images;
            this.modelThreshold = images.anonymize() ? Math.min(settings.scoreThreshold(), images.coverThreshold())
                    : settings.scoreThreshold();
            this.translator = new RetinaFaceTranslator(settings.model(), modelThreshold, settings.nmsThreshold());
            this.predictor = model.newPredictor(translator);
            this.aligner = images.crops() ? new FaceAligner(images.cropSize(), images.jpegQuality()) : null;
            this.anonymizer = images.anonymize() ? new FaceAnonymizer(images.style(), images.margin()) : null;
        }

        /**
         * Decodes and detects, and makes the session's face images; rejects images it cannot decode or the
         * model fails on. An image to anonymize is decoded at full resolution (it is encoded anew at its size).
         */
        public ImageDetections detect(byte[] encoded, String contentType) throws ImageRejectedException {
            long started = System.nanoTime();
            try (DecodedImage image = decoder.decode(encoded, contentType, images.anonymize() ? null : settings.size())) {
                long decoded = System.nanoTime();
                ModelFaces found = runModelOrReject(image);
                ImageDetections detections = inOriginalPixels(image, found, decoded - started);
                if (!images.any()) {
                    return detections;
                }
                return new ImageDetections(detections.width(), detections.height(), detections.faces(),
                        detections.decodeNanos(), detections.preprocessNanos(), detections.inferenceNanos(),
                        detections.postprocessNanos(), faceImages(image, detections.faces(), inOriginalPixels(image, found.faint())));
            }
        }

        /** The crops and the anonymized image of {@code image}, whose faces (in original pixels) are {@code faces} and {@code faint}. */
        private FaceImages faceImages(DecodedImage image, List<DetectedFace> faces, List<DetectedFace> faint)
                throws ImageRejectedException {
            long started = System.nanoTime();
            List<FaceImages.Crop> crops = new ArrayList<>();
            int cropsSkipped = 0;
            if (aligner != null) {
                for (int i = 0; i < faces.size(); i++) {
                    if (faces.get(i).score() < images.cropMinScore()) {
                        continue;
                    }
                    try {
                        AlignedFace aligned = aligner.align(image, faces.get(i));
                        if (aligned.jpeg().length <= images.maxEncodedBytes()) {
                            crops.add(new FaceImages.Crop(i, aligned));
                            continue;
                        }
                    } catch (IllegalArgumentException e) {
                        // landmarks that fit no alignment: counted below
                    }
                    cropsSkipped++;
                }
            }
            FaceImages.Anonymized anonymized = null;
            if (anonymizer != null) {
                // Decoded at full resolution (see detect), so original pixels are the decoded ones.
                List<DetectedFace> covered = new ArrayList<>(faces);
                covered.addAll(faint);
                anonymizer.cover(image.bgr(), covered);
                anonymized = new FaceImages.Anonymized(encodeToFit(image.bgr()), images.format(), covered.size());
            }
            return new FaceImages(List.copyOf(crops), cropsSkipped, anonymized, System.nanoTime() - started);
        }

        /**
         * The anonymized pixels, encoded; a JPEG over the byte limit is encoded again at lower qualities. An image
         * that does not fit even so is refused, so that its event becomes a dead letter rather than a record its
         * output would refuse (fail closed: it never leaves unanonymized either).
         */
        private byte[] encodeToFit(org.opencv.core.Mat bgr) throws ImageRejectedException {
            if (images.format() == FaceImagesOptions.Format.PNG) {
                byte[] png = FaceAnonymizer.png(bgr);
                if (png.length <= images.maxEncodedBytes()) {
                    return png;
                }
                throw tooLarge(bgr, png.length, "as a PNG");
            }
            int quality = images.jpegQuality();
            byte[] jpeg = FaceAnonymizer.jpeg(bgr, quality);
            while (jpeg.length > images.maxEncodedBytes() && quality > FaceImagesSettings.LOWEST_FALLBACK_QUALITY) {
                quality = Math.max(FaceImagesSettings.LOWEST_FALLBACK_QUALITY, quality - 10);
                jpeg = FaceAnonymizer.jpeg(bgr, quality);
            }
            if (jpeg.length <= images.maxEncodedBytes()) {
                return jpeg;
            }
            throw tooLarge(bgr, jpeg.length, "as a JPEG of quality " + quality);
        }

        private ImageRejectedException tooLarge(org.opencv.core.Mat bgr, int bytes, String how) {
            return new ImageRejectedException(RejectReason.BYTES_TOO_LARGE, String.format(
                    "The anonymized %dx%d image is %d bytes %s, over the %d bytes its output takes, so it is not sent. Raise "
                            + "the output's record size limit, or send smaller images.", bgr.cols(), bgr.rows(), bytes, how,
                    images.maxEncodedBytes()));
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
            return new ImageDetections(image.originalWidth(), image.originalHeight(), inOriginalPixels(image, detections.faces()),
                    decodeNanos, detections.preprocessNanos(), detections.inferenceNanos(), detections.postprocessNanos());
        }

        private List<DetectedFace> inOriginalPixels(DecodedImage image, List<DetectedFace> faces) {
            float toOriginal = image.toOriginal();
            int maxX = image.originalWidth() - 1;
            int maxY = image.originalHeight() - 1;
            return faces.stream()
                    .map(face -> (toOriginal == 1 ? face : face.unscale(1 / toOriginal)).clipBox(maxX, maxY))
                    .toList();
        }

        /**
         * Faces in the decoded image's pixels, highest score first: one model pass per input plan, merged
         * by box voting; boxes not yet clipped to the image (results are, see {@link #detect(byte[], String)}).
         */
        public ModelFaces runModel(DecodedImage image) throws TranslateException {
            List<SizePolicy.InputPlan> plans = settings.size().plans(image.width(), image.height());
            if (plans.size() == 1) {
                return split(predictor.predict(new RetinaFaceTranslator.Pass(image, plans.get(0))));
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
            List<DetectedFace> faint = List.of();
            if (modelThreshold < settings.scoreThreshold()) {
                // Voting merges a face's boxes weighted by score: the results' faces are voted from their own
                // candidates only, so that covering faint faces leaves the results as they are without it.
                faint = topK(BoxVoting.merge(all, BoxVoting.DEFAULT_IOU)).stream()
                        .filter(face -> face.score() < settings.scoreThreshold()).toList();
                all = all.stream().filter(face -> face.score() >= settings.scoreThreshold()).toList();
            }
            List<DetectedFace> merged = topK(BoxVoting.merge(all, BoxVoting.DEFAULT_IOU));
            return new ModelFaces(merged, faint, preprocess, inference, postprocess + System.nanoTime() - merging);
        }

        private List<DetectedFace> topK(List<DetectedFace> faces) {
            int k = settings.model().postNmsTopK;
            return k > 0 && faces.size() > k ? faces.subList(0, k) : faces;
        }

        /**
         * A pass at the lower cover threshold, told apart into the faces of the results and the faint ones. The
         * results are those a pass at the score threshold finds: a lower threshold only adds candidates that score
         * below every result, and non-maximum suppression and top-k keep higher scores first.
         */
        private ModelFaces split(ModelFaces pass) {
            if (modelThreshold >= settings.scoreThreshold()) {
                return pass;
            }
            List<DetectedFace> faces = new ArrayList<>();
            List<DetectedFace> faint = new ArrayList<>();
            for (DetectedFace face : pass.faces()) {
                (face.score() >= settings.scoreThreshold() ? faces : faint).add(face);
            }
            return new ModelFaces(faces, faint, pass.preprocessNanos(), pass.inferenceNanos(), pass.postprocessNanos());
        }

        @Override
        public void close() {
            predictor.close();
            translator.close();
        }
    }
}
