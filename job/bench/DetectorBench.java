import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceAnonymizer;
import io.facestream.detect.FaceImagesOptions;
import io.facestream.detect.FaceImagesSettings;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.ImageDetections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * The detector in-process on 1920x1080 JPEG frames (montages of the test photos): decode +
 * pre-processing + forward pass + decoding + NMS per image, with 1 and 2 threads, each thread
 * with its own session (predictor) and one ONNX Runtime thread.
 *
 * java -cp job/target/facestream.jar job/bench/DetectorBench.java frames TESTDATA_DIR OUT_DIR COUNT
 * java -cp job/target/facestream.jar job/bench/DetectorBench.java run FRAMES_DIR [IMAGES_PER_THREAD] [SIZE_POLICY] [THREADS,...]
 * java -cp job/target/facestream.jar job/bench/DetectorBench.java levers FRAMES_DIR [IMAGES]
 * java -cp job/target/facestream.jar job/bench/DetectorBench.java precision FRAMES_DIR [IMAGES]
 * java -cp job/target/facestream.jar job/bench/DetectorBench.java annotation FRAMES_DIR [IMAGES]
 * java -cp job/target/facestream.jar job/bench/DetectorBench.java faceimages FRAMES_DIR [IMAGES]
 */
public class DetectorBench {

    public static void main(String[] args) throws Exception {
        nu.pattern.OpenCV.loadLocally();
        if (args[0].equals("frames")) {
            Path out = Files.createDirectories(Path.of(args[2]));
            List<byte[]> frames = frames(Path.of(args[1]), Integer.parseInt(args[3]));
            for (int i = 0; i < frames.size(); i++) {
                Files.write(out.resolve(String.format("frame-%03d.jpg", i)), frames.get(i));
            }
            return;
        }
        List<byte[]> frames = new ArrayList<>();
        try (var files = Files.list(Path.of(args[1]))) {
            for (Path file : files.sorted().toList()) {
                frames.add(Files.readAllBytes(file));
            }
        }
        if (args[0].equals("levers")) {
            int images = args.length > 2 ? Integer.parseInt(args[2]) : 100;
            levers(frames, images);
            sessionReuse(frames, images / 5);
            batching(images / 5);
            return;
        }
        if (args[0].equals("annotation")) {
            annotation(frames, args.length > 2 ? Integer.parseInt(args[2]) : 100);
            return;
        }
        if (args[0].equals("precision")) {
            precision(frames, args.length > 2 ? Integer.parseInt(args[2]) : 200);
            return;
        }
        if (args[0].equals("faceimages")) {
            faceImages(frames, args.length > 2 ? Integer.parseInt(args[2]) : 64);
            return;
        }
        int perThread = args.length > 2 ? Integer.parseInt(args[2]) : 150;
        String size = args.length > 3 ? args[3] : "letterbox:640";
        int[] threadCounts = java.util.Arrays.stream((args.length > 4 ? args[4] : "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        DetectorSettings settings = DetectorSettings.builder().size(size).build();
        System.out.printf("method: %d distinct 1920x1080 JPEG frames (%d KB average), size policy %s; per thread 20 warm-up "
                + "images then %d timed; time per image = decode + pre-processing + model + post-processing%n",
                frames.size(), frames.stream().mapToInt(f -> f.length).sum() / frames.size() / 1024, size, perThread);
        try (FaceDetector detector = FaceDetector.load(settings)) {
            for (int threads : threadCounts) {
                run(detector, frames, threads, perThread);
            }
        }
    }

    /**
     * What crops and anonymized images cost per image on one thread, in rounds that take the configurations
     * in turn (this machine's speed drifts): the whole session call (decode, detection, face images) and the
     * face images' own part; an anonymized image decodes the frame at full resolution where detection alone
     * decodes 1080p at half.
     */
    private static void faceImages(List<byte[]> frames, int images) throws Exception {
        Map<String, FaceImagesSettings> configurations = new LinkedHashMap<>();
        configurations.put("detection alone", FaceImagesSettings.none());
        configurations.put("crops", FaceImagesSettings.builder().crops(true).build());
        configurations.put("anonymized, blur, JPEG 95", FaceImagesSettings.builder().anonymize(true).build());
        configurations.put("anonymized, pixelate, JPEG 95", FaceImagesSettings.builder().anonymize(true).style(FaceAnonymizer.Style.PIXELATE).build());
        configurations.put("anonymized, fill, JPEG 95", FaceImagesSettings.builder().anonymize(true).style(FaceAnonymizer.Style.FILL).build());
        configurations.put("anonymized, blur, PNG", FaceImagesSettings.builder().anonymize(true).format(FaceImagesOptions.Format.PNG).build());
        configurations.put("crops and anonymized", FaceImagesSettings.builder().crops(true).anonymize(true).build());
        System.out.printf("method: %d distinct 1920x1080 JPEG frames, default detector, one thread; per configuration and round 16 "
                + "warm-up images then %d timed; 3 rounds taking the configurations in turn; medians of the rounds' means%n",
                frames.size(), images);
        Map<String, List<double[]>> rounds = new LinkedHashMap<>();
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults())) {
            for (int round = 0; round < 3; round++) {
                for (Map.Entry<String, FaceImagesSettings> configuration : configurations.entrySet()) {
                    try (FaceDetector.Session session = detector.newSession(configuration.getValue())) {
                        double total = 0;
                        double decode = 0;
                        double made = 0;
                        double bytes = 0;
                        int faces = 0;
                        for (int i = 0; i < 16 + images; i++) {
                            long started = System.nanoTime();
                            ImageDetections detections = session.detect(frames.get(i % frames.size()), "image/jpeg");
                            if (i >= 16) {
                                total += System.nanoTime() - started;
                                decode += detections.decodeNanos();
                                made += detections.images().nanos();
                                faces += detections.faces().size();
                                bytes += detections.images().anonymized() == null ? 0 : detections.images().anonymized().bytes().length;
                            }
                        }
                        rounds.computeIfAbsent(configuration.getKey(), key -> new ArrayList<>()).add(new double[] {
                                total / images / 1e6, decode / images / 1e6, made / images / 1e6, (double) faces / images,
                                bytes / images / 1024});
                    }
                }
            }
        }
        double alone = medianOf(rounds.get("detection alone"), 0);
        for (Map.Entry<String, List<double[]>> entry : rounds.entrySet()) {
            System.out.printf("%-30s per image %.1f ms (decode %.1f, face images %.1f), %.1f faces, anonymized %.0f KB; "
                    + "detection alone / this = %.2f%n", entry.getKey(), medianOf(entry.getValue(), 0), medianOf(entry.getValue(), 1),
                    medianOf(entry.getValue(), 2), medianOf(entry.getValue(), 3), medianOf(entry.getValue(), 4),
                    alone / medianOf(entry.getValue(), 0));
        }
    }

    private static double medianOf(List<double[]> rows, int column) {
        List<Double> values = rows.stream().map(row -> row[column]).sorted().toList();
        return values.get(values.size() / 2);
    }

    /**
     * What an annotated picture costs against a detection, per image in one run on one thread:
     * decoding the frame at full and at half resolution (libjpeg's DCT scaling), encoding it as
     * JPEG (quality 90, local's) at both, as PNG at full, and the default detector end to end.
     */
    private static void annotation(List<byte[]> frames, int images) throws Exception {
        System.out.printf("method: %d images in turn from %d frames after 20 warm-up, one thread, medians per image; codecs of "
                + "the bundled OpenCV (libjpeg-turbo %s)%n", images, frames.size(), simdLine());
        List<long[]> rows = new ArrayList<>();
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults());
             FaceDetector.Session session = detector.newSession()) {
            for (int i = -20; i < images; i++) {
                byte[] frame = frames.get(Math.floorMod(i, frames.size()));
                long[] row = new long[6];
                long t0 = System.nanoTime();
                Mat full = Imgcodecs.imdecode(new MatOfByte(frame), Imgcodecs.IMREAD_COLOR);
                long t1 = System.nanoTime();
                Mat half = Imgcodecs.imdecode(new MatOfByte(frame), Imgcodecs.IMREAD_REDUCED_COLOR_2);
                long t2 = System.nanoTime();
                MatOfByte out = new MatOfByte();
                Imgcodecs.imencode(".jpg", full, out, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90));
                long t3 = System.nanoTime();
                Imgcodecs.imencode(".jpg", half, out, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90));
                long t4 = System.nanoTime();
                Imgcodecs.imencode(".png", full, out);
                long t5 = System.nanoTime();
                session.detect(frame, "image/jpeg");
                long t6 = System.nanoTime();
                full.release();
                half.release();
                out.release();
                if (i >= 0) {
                    rows.add(new long[] {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5});
                }
            }
        }
        double detection = median(rows, 5);
        System.out.printf("detection (default settings) %.1f ms; decode full %.1f ms, half %.1f ms; JPEG encode full %.1f ms, "
                + "half %.1f ms; PNG encode full %.1f ms%n", detection, median(rows, 0), median(rows, 1),
                median(rows, 2), median(rows, 3), median(rows, 4));
        System.out.printf("an annotated JPEG against a detection: full size %.2fx, half size %.2fx; PNG %.2fx%n",
                (median(rows, 0) + median(rows, 2)) / detection, (median(rows, 1) + median(rows, 3)) / detection,
                (median(rows, 0) + median(rows, 4)) / detection);
    }

    private static String simdLine() {
        return org.opencv.core.Core.getBuildInformation().lines().filter(l -> l.strip().startsWith("SIMD Support:"))
                .map(String::strip).findFirst().orElse("SIMD support not stated");
    }

    /** Each lever on and off in one run, one thread, medians per image. */
    private static void levers(List<byte[]> frames, int images) throws Exception {
        System.out.printf("method: levers on and off in one run, one thread, %d images after 20 warm-up, medians per image%n", images);
        io.facestream.detect.ImageDecoder decoder = new io.facestream.detect.ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        io.facestream.detect.SizePolicy letterbox = io.facestream.detect.SizePolicy.parse("letterbox:640");
        for (boolean reduced : new boolean[] {false, true, false, true}) {
            List<long[]> times = new ArrayList<>();
            for (int i = 0; i < images + 20; i++) {
                long start = System.nanoTime();
                try (var image = decoder.decode(frames.get(i % frames.size()), null, reduced ? letterbox : null)) {
                    if (i >= 20) {
                        times.add(new long[] {System.nanoTime() - start});
                    }
                }
            }
            System.out.printf("decode 1080p JPEG, %s: %.1f ms%n", reduced ? "reduced to 1/2 (960x540)" : "full resolution", median(times, 0));
        }
        for (String size : new String[] {"letterbox:640", "fit:640"}) {
            for (int ortThreads : new int[] {1, 2}) {
                DetectorSettings settings = DetectorSettings.builder().size(size).intraOpThreads(ortThreads).build();
                try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
                    List<long[]> times = new ArrayList<>();
                    for (int i = 0; i < images + 20; i++) {
                        long start = System.nanoTime();
                        ImageDetections d = session.detect(frames.get(i % frames.size()), "image/jpeg");
                        if (i >= 20) {
                            times.add(new long[] {System.nanoTime() - start, d.preprocessNanos(), d.inferenceNanos()});
                        }
                    }
                    System.out.printf("%s, ONNX Runtime intra-op threads %d: %.1f ms per image (pre-processing %.1f, model %.1f)%n",
                            size, ortThreads, median(times, 0), median(times, 1), median(times, 2));
                }
            }
        }
    }

    /**
     * fp32 against int8 (--precision), one thread each with one ONNX Runtime thread, the two
     * detectors taking turns image by image so that both see the same load; at fit:640 (the 1080p
     * frames become 640x384 tensors) and letterbox:640 (640x640).
     */
    private static void precision(List<byte[]> frames, int images) throws Exception {
        System.out.printf("method: fp32 and int8 alternating image by image, one thread, one ONNX Runtime thread, %d images "
                + "after 20 warm-up; medians per image (end to end = decode + pre-processing + model + post-processing; "
                + "cpu = the calling thread's CPU time for it, which other work on the machine inflates less than wall time)%n", images);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (String size : new String[] {"fit:640", "letterbox:640"}) {
            String[] precisions = {"fp32", "int8"};
            FaceDetector[] detectors = new FaceDetector[2];
            FaceDetector.Session[] sessions = new FaceDetector.Session[2];
            List<List<long[]>> times = List.of(new ArrayList<>(), new ArrayList<>());
            try {
                for (int p = 0; p < 2; p++) {
                    detectors[p] = FaceDetector.load(DetectorSettings.builder().size(size).precision(precisions[p]).build());
                    sessions[p] = detectors[p].newSession();
                }
                for (int i = 0; i < images + 20; i++) {
                    for (int p = 0; p < 2; p++) {
                        int which = (i % 2 == 0) ? p : 1 - p;
                        long start = System.nanoTime();
                        long cpuStart = cpu.getCurrentThreadCpuTime();
                        ImageDetections d = sessions[which].detect(frames.get(i % frames.size()), "image/jpeg");
                        if (i >= 20) {
                            times.get(which).add(new long[] {System.nanoTime() - start, d.inferenceNanos(), d.faces().size(),
                                cpu.getCurrentThreadCpuTime() - cpuStart});
                        }
                    }
                }
            } finally {
                for (int p = 0; p < 2; p++) {
                    if (sessions[p] != null) {
                        sessions[p].close();
                    }
                    if (detectors[p] != null) {
                        detectors[p].close();
                    }
                }
            }
            for (int p = 0; p < 2; p++) {
                System.out.printf("%s, %s: end to end %.1f ms (cpu %.1f ms), model %.1f ms per image; %d faces in all%n", size,
                        precisions[p], median(times.get(p), 0), median(times.get(p), 3), median(times.get(p), 1),
                        times.get(p).stream().mapToLong(r -> r[2]).sum());
            }
            System.out.printf("%s, int8 speed-up: end to end %.2fx (cpu %.2fx), model %.2fx%n", size,
                    median(times.get(0), 0) / median(times.get(1), 0), median(times.get(0), 3) / median(times.get(1), 3),
                    median(times.get(0), 1) / median(times.get(1), 1));
        }
    }

    /** A session (ONNX Runtime session + predictor) per image against one reused for every image. */
    private static void sessionReuse(List<byte[]> frames, int images) throws Exception {
        DetectorSettings settings = DetectorSettings.defaults();
        try (FaceDetector detector = FaceDetector.load(settings)) {
            for (boolean reuse : new boolean[] {false, true}) {
                List<long[]> times = new ArrayList<>();
                FaceDetector.Session shared = reuse ? detector.newSession() : null;
                for (int i = 0; i < images + 5; i++) {
                    long start = System.nanoTime();
                    if (reuse) {
                        shared.detect(frames.get(i % frames.size()), "image/jpeg");
                    } else {
                        try (FaceDetector.Session session = detector.newSession()) {
                            session.detect(frames.get(i % frames.size()), "image/jpeg");
                        }
                    }
                    if (i >= 5) {
                        times.add(new long[] {System.nanoTime() - start});
                    }
                }
                if (shared != null) {
                    shared.close();
                }
                System.out.printf("letterbox:640, %s: %.1f ms per image%n", reuse ? "one session reused"
                        : "a new FaceDetector.Session (predictor, tensor buffers) per image", median(times, 0));
            }
        }
        List<long[]> times = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long start = System.nanoTime();
            try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
                session.detect(frames.get(i % frames.size()), "image/jpeg");
            }
            if (i >= 1) {
                times.add(new long[] {System.nanoTime() - start});
            }
        }
        System.out.printf("letterbox:640, the model loaded (ONNX Runtime session created) per image: %.1f ms per image%n", median(times, 0));
    }

    /**
     * Batches at the model, the measurement micro-batching was removed on: the default model run by
     * ONNX Runtime on one thread with N letterboxed 640x640 images per call (random pixels), time per
     * image; the npm model's fixed 1x3x640x640 input made symbolic.
     */
    private static void batching(int calls) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession.SessionOptions options = new ai.onnxruntime.OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (ai.onnxruntime.OrtSession session = env.createSession(
                    io.facestream.detect.OnnxShapes.withSymbolicSpatialDims(io.facestream.detect.ModelFile.loadDefault().bytes()), options)) {
                String input = session.getInputNames().iterator().next();
                System.out.printf("model input %s: %s%n", input, session.getInputInfo().get(input).getInfo());
                java.util.Random random = new java.util.Random(1);
                for (int batch : new int[] {1, 2, 4, 1, 2, 4}) {
                    float[] pixels = new float[batch * 3 * 640 * 640];
                    for (int i = 0; i < pixels.length; i++) {
                        pixels[i] = random.nextInt(256);
                    }
                    List<long[]> times = new ArrayList<>();
                    try (ai.onnxruntime.OnnxTensor tensor = ai.onnxruntime.OnnxTensor.createTensor(env,
                            java.nio.FloatBuffer.wrap(pixels), new long[] {batch, 3, 640, 640})) {
                        for (int i = 0; i < calls + 3; i++) {
                            long start = System.nanoTime();
                            try (ai.onnxruntime.OrtSession.Result result = session.run(java.util.Map.of(input, tensor))) {
                                if (i >= 3) {
                                    times.add(new long[] {(System.nanoTime() - start) / batch});
                                }
                            }
                        }
                    }
                    System.out.printf("model only, batch %d, one ONNX Runtime thread: %.1f ms per image%n", batch, median(times, 0));
                }
            }
        }
    }

    private static void run(FaceDetector detector, List<byte[]> frames, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<long[]> stages = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> workers = new ArrayList<>();
        long[] window = new long[2];
        long[] processCpu = new long[2];
        long[] compilerCpu = new long[2];
        java.util.concurrent.atomic.AtomicLong workerCpu = new java.util.concurrent.atomic.AtomicLong();
        java.lang.management.ThreadMXBean threadBean = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.concurrent.CyclicBarrier warmedUp = new java.util.concurrent.CyclicBarrier(threads, () -> {
            window[0] = System.nanoTime();
            processCpu[0] = processCpuNanos();
            compilerCpu[0] = compilerThreadsCpuNanos();
        });
        for (int t = 0; t < threads; t++) {
            int offset = t;
            workers.add(pool.submit(() -> {
                try (FaceDetector.Session session = detector.newSession()) {
                    for (int i = 0; i < 20; i++) {
                        session.detect(frames.get((i + offset) % frames.size()), "image/jpeg");
                    }
                    warmedUp.await();
                    long cpuStart = threadBean.getCurrentThreadCpuTime();
                    for (int i = 0; i < perThread; i++) {
                        long start = System.nanoTime();
                        ImageDetections d = session.detect(frames.get((i + offset) % frames.size()), "image/jpeg");
                        stages.add(new long[] {System.nanoTime() - start, d.decodeNanos(), d.preprocessNanos(),
                            d.inferenceNanos(), d.postprocessNanos()});
                    }
                    workerCpu.addAndGet(threadBean.getCurrentThreadCpuTime() - cpuStart);
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        window[1] = System.nanoTime();
        processCpu[1] = processCpuNanos();
        compilerCpu[1] = compilerThreadsCpuNanos();
        pool.shutdown();
        double seconds = (window[1] - window[0]) / 1e9;
        System.out.printf("threads %d: %.1f images/s; per image median %.1f ms, p95 %.1f ms (decode %.1f, pre %.1f, model %.1f, post %.1f ms median); "
                + "cpu %.2f ms/image, %.2f without the JIT compiler threads (detecting threads %.2f)%n",
                threads, stages.size() / seconds, median(stages, 0), percentile(stages, 0, 0.95), median(stages, 1),
                median(stages, 2), median(stages, 3), median(stages, 4), (processCpu[1] - processCpu[0]) / 1e6 / stages.size(),
                (processCpu[1] - processCpu[0] - compilerCpu[1] + compilerCpu[0]) / 1e6 / stages.size(),
                workerCpu.get() / 1e6 / stages.size());
    }

    /** This process's CPU time (user + system, all threads). */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    }

    /** CPU time of this process's JIT compiler threads (Linux /proc; USER_HZ 100). */
    private static long compilerThreadsCpuNanos() {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    if (stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).contains("CompilerThre")) {
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (java.io.IOException e) {
                    // The thread ended.
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return ticks * 10_000_000L;
    }

    /** Distinct frames of 1920x1080: the photos tiled at different sizes, so each frame has several faces. */
    static List<byte[]> frames(Path testdata, int count) throws Exception {
        List<Mat> photos = new ArrayList<>();
        for (String name : List.of("Chris.jpeg", "Luciano.png", "astronaut.png", "camera.png", "Bryan.png", "montage_4faces.png")) {
            photos.add(Imgcodecs.imread(testdata.resolve(name).toString()));
        }
        List<byte[]> frames = new ArrayList<>();
        for (int f = 0; f < count; f++) {
            Mat canvas = Mat.zeros(1080, 1920, org.opencv.core.CvType.CV_8UC3);
            // The layout repeats every 12 frames (6 photos, 4 heights): each later round moves the photos
            // down, so that no two frames are the same picture.
            int round = f / 12;
            int x = 0;
            for (int p = 0; p < 4; p++) {
                Mat photo = photos.get((f + p) % photos.size());
                int height = 300 + 180 * ((f + p) % 4);
                int width = Math.min(1920 - x, photo.cols() * height / photo.rows());
                if (width < 50) {
                    break;
                }
                Mat resized = new Mat();
                Imgproc.resize(photo, resized, new Size(width, height));
                int free = 1080 - height;
                resized.copyTo(canvas.submat(new Rect(x, (free / 2 + 17 * round) % (free + 1), width, height)));
                x += width;
            }
            MatOfByte jpeg = new MatOfByte();
            Imgcodecs.imencode(".jpg", canvas, jpeg, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90));
            frames.add(jpeg.toArray());
        }
        return frames;
    }

    private static double median(List<long[]> rows, int column) {
        return percentile(rows, column, 0.5);
    }

    private static double percentile(List<long[]> rows, int column, double q) {
        List<Long> values = rows.stream().map(r -> r[column]).sorted().toList();
        return values.get((int) Math.min(values.size() - 1, Math.floor(q * values.size()))) / 1e6;
    }
}
