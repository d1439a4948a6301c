package io.facestream.eval;

import io.facestream.detect.DetectedFace;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.Natives;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * A made-up camera sequence for measuring a face tracker, with its ground truth: faces cut from the
 * test photos move over a still, lightly textured 1280x720 background. Two of them cross (their boxes
 * overlap for several frames, the lower one drawn over the other, as if nearer the camera); a third
 * follows a curve and is hidden for a few frames mid-way. Frames are 40 ms apart in event time and are
 * to be sent out of order, each at most a few frames late.
 *
 * <p>A face's box in the ground truth is the detector's box on the face's scaled cutout alone (its
 * photo around it), moved to where the cutout is pasted: a reference taken once per face, apart from
 * both the frames and the tracker. Everything depends only on the settings (the seed gives the
 * background's texture and the arrival order), the photos and the detector.
 */
public final class TrackingSequence {

    public static final int WIDTH = 1280;
    public static final int HEIGHT = 720;
    /** Event time between frames: 25 frames per second. */
    public static final long FRAME_MILLIS = 40;
    public static final int JPEG_QUALITY = 90;
    public static final String GROUND_TRUTH_FILE = "ground-truth.json";

    /** The least score the detector must give a face in its cutout for the cutout to be used. */
    static final float MIN_CUTOUT_SCORE = 0.9f;
    /** The cutout around a face box, as multiples of the box's width and height: generous, so the detector sees context. */
    private static final double CROP_WIDTH = 1.9;
    private static final double CROP_HEIGHT = 1.7;
    /** The visible part of a cutout: an ellipse around the face box, as multiples of the box's half width and half height. */
    private static final double MASK_HALF_WIDTH = 1.5;
    private static final double MASK_HALF_HEIGHT = 1.3;
    /** The ellipse's outer share (of its radius) over which a cutout fades into the background. */
    private static final double MASK_FEATHER = 0.15;

    /**
     * @param frames frames in the sequence
     * @param seed the background's texture and the arrival order
     * @param startMillis the first frame's event time, milliseconds since the epoch
     * @param maxDisplacement the most frames a frame may arrive after a later one (lateness, in frames)
     * @param hiddenFrames frames in a row in which the curving face is not drawn
     */
    public record Settings(int frames, long seed, long startMillis, int maxDisplacement, int hiddenFrames) {

        public static final int DEFAULT_FRAMES = 90;
        public static final long DEFAULT_SEED = 15;
        /** 2026-01-01T00:00:00Z: fixed, so that the same settings give the same ground truth. */
        public static final long DEFAULT_START_MILLIS = 1_767_225_600_000L;
        /** 3 frames, 120 ms: within the tracker's default --max-out-of-orderness of 500 ms. */
        public static final int DEFAULT_MAX_DISPLACEMENT = 3;
        public static final int DEFAULT_HIDDEN_FRAMES = 5;

        public Settings {
            if (frames < 30) {
                throw new IllegalArgumentException("frames must be at least 30 for the crossing and the hiding to fit, not " + frames);
            }
            if (maxDisplacement < 0 || hiddenFrames < 1 || hiddenFrames > frames / 6) {
                throw new IllegalArgumentException("maxDisplacement must not be negative and hiddenFrames must be 1.." + frames / 6);
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_FRAMES, DEFAULT_SEED, DEFAULT_START_MILLIS, DEFAULT_MAX_DISPLACEMENT, DEFAULT_HIDDEN_FRAMES);
        }

        public Settings withFrames(int frames) {
            return new Settings(frames, seed, startMillis, maxDisplacement, hiddenFrames);
        }

        public Settings withSeed(long seed) {
            return new Settings(frames, seed, startMillis, maxDisplacement, hiddenFrames);
        }

        /** The first frame in which the curving face is hidden: about two thirds in, after the crossing. */
        int firstHiddenFrame() {
            return (int) Math.round(frames * 0.65);
        }
    }

    /** The sequence's people: test photos whose faces the default detector finds with a score above 0.99. */
    private static final List<Role> ROLES = List.of(
            new Role("Chris", "Chris.jpeg", 160, "straight, left to right, face centre y 250", false),
            new Role("Luciano", "Luciano.png", 150, "straight, right to left, face centre y 335: crosses Chris mid-way", false),
            new Role("astronaut", "astronaut.png", 130, "an arc, left to right, face centre y 570..615; hidden for a few frames "
                    + "two thirds in", true));

    private record Role(String id, String photo, int faceHeight, String path, boolean hides) {}

    /** Where a role's face box centre is at time t in [0, 1]. */
    private static double[] centre(int role, double t) {
        return switch (role) {
            case 0 -> new double[] {200 + 880 * t, 250};
            case 1 -> new double[] {1080 - 880 * t, 335};
            default -> new double[] {260 + 760 * t, 615 - 45 * Math.sin(Math.PI * t)};
        };
    }

    /**
     * A face cut from a photo and scaled: its pixels (BGR, row-major), its face box as the detector
     * finds it in these pixels, and how opaque each pixel is when pasted.
     */
    record Cutout(int width, int height, byte[] bgr, float[] alpha, double x1, double y1, double x2, double y2) {}

    private final List<byte[]> frames;
    private final TrackingGroundTruth groundTruth;

    private TrackingSequence(List<byte[]> frames, TrackingGroundTruth groundTruth) {
        this.frames = List.copyOf(frames);
        this.groundTruth = groundTruth;
    }

    /** The JPEG frames, in event-time order; frame i is {@code groundTruth().frames().get(i)}. */
    public List<byte[]> frames() {
        return frames;
    }

    public TrackingGroundTruth groundTruth() {
        return groundTruth;
    }

    /** Writes the frames as {@code frame-000.jpg}, ... (their event ids) and the ground truth as {@value #GROUND_TRUTH_FILE}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < frames.size(); i++) {
            Files.write(dir.resolve(groundTruth.frames().get(i).eventId()), frames.get(i));
        }
        groundTruth.write(dir.resolve(GROUND_TRUTH_FILE));
    }

    public static String eventId(int frame) {
        return String.format("frame-%03d.jpg", frame);
    }

    /** Makes the sequence from the photos in {@code testdata}, with the detector's session for the reference boxes. */
    public static TrackingSequence generate(Path testdata, FaceDetector.Session detector, Settings settings) throws IOException {
        Natives.loadOpenCv();
        List<Cutout> cutouts = new ArrayList<>();
        for (Role role : ROLES) {
            cutouts.add(cut(testdata.resolve(role.photo()), role.faceHeight(), detector));
        }
        byte[] background = background(new Random(settings.seed()));
        int hiddenFrom = settings.firstHiddenFrame();
        int hiddenTo = hiddenFrom + settings.hiddenFrames();

        List<byte[]> jpegs = new ArrayList<>();
        List<TrackingGroundTruth.Frame> frames = new ArrayList<>();
        for (int i = 0; i < settings.frames(); i++) {
            double t = (double) i / (settings.frames() - 1);
            List<Placed> placed = new ArrayList<>();
            List<String> hidden = new ArrayList<>();
            for (int r = 0; r < ROLES.size(); r++) {
                Role role = ROLES.get(r);
                if (role.hides() && i >= hiddenFrom && i < hiddenTo) {
                    hidden.add(role.id());
                    continue;
                }
                Cutout cutout = cutouts.get(r);
                double[] c = centre(r, t);
                int left = (int) Math.round(c[0] - (cutout.x1() + cutout.x2()) / 2);
                int top = (int) Math.round(c[1] - (cutout.y1() + cutout.y2()) / 2);
                placed.add(new Placed(role.id(), cutout, left, top));
            }
            // The face lower in the picture is drawn last, as if nearer the camera.
            placed.sort(Comparator.comparingDouble(Placed::y2));
            byte[] canvas = background.clone();
            for (Placed p : placed) {
                p.paste(canvas);
            }
            List<TrackingGroundTruth.Face> faces = new ArrayList<>();
            for (int k = 0; k < placed.size(); k++) {
                Placed p = placed.get(k);
                if (p.x1() < 0 || p.y1() < 0 || p.x2() > WIDTH || p.y2() > HEIGHT) {
                    throw new IllegalStateException(p.id() + "'s face leaves the frame in frame " + i);
                }
                double visibility = p.visibility(placed.subList(k + 1, placed.size()));
                // Rounded as the file holds them, so that the ground truth read back is this one.
                faces.add(new TrackingGroundTruth.Face(p.id(), TrackingGroundTruth.rounded(p.x1(), 2),
                        TrackingGroundTruth.rounded(p.y1(), 2), TrackingGroundTruth.rounded(p.x2(), 2),
                        TrackingGroundTruth.rounded(p.y2(), 2), TrackingGroundTruth.rounded(visibility, 3)));
            }
            faces.sort(Comparator.comparing(f -> roleIndex(f.id())));
            jpegs.add(jpeg(canvas));
            frames.add(new TrackingGroundTruth.Frame(i, eventId(i), settings.startMillis() + i * FRAME_MILLIS, faces, hidden));
        }

        List<TrackingGroundTruth.Identity> identities = ROLES.stream()
                .map(role -> new TrackingGroundTruth.Identity(role.id(), role.photo(), role.faceHeight(), role.path()))
                .toList();
        List<String> arrival = arrivalOrder(settings.frames(), settings.maxDisplacement(), new Random(~settings.seed()))
                .stream().map(TrackingSequence::eventId).toList();
        return new TrackingSequence(jpegs, new TrackingGroundTruth(WIDTH, HEIGHT, identities, frames, arrival));
    }

    private static int roleIndex(String id) {
        for (int r = 0; r < ROLES.size(); r++) {
            if (ROLES.get(r).id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException(id);
    }

    /**
     * Frame indexes in the order they arrive: each frame is sorted by its index plus a random delay of
     * less than {@code maxDisplacement + 1} frames, so a frame arrives after at most {@code maxDisplacement}
     * later ones, and no frame is later than that behind the newest before it.
     */
    static List<Integer> arrivalOrder(int frames, int maxDisplacement, Random random) {
        double[] key = new double[frames];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            key[i] = i + random.nextDouble() * (maxDisplacement + 1);
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> key[i]).thenComparing(i -> i));
        return order;
    }

    /** A cutout at its place in a frame. */
    private record Placed(String id, Cutout cutout, int left, int top) {

        double x1() {
            return left + cutout.x1();
        }

        double y1() {
            return top + cutout.y1();
        }

        double x2() {
            return left + cutout.x2();
        }

        double y2() {
            return top + cutout.y2();
        }

        /** Whether this cutout hides the frame's pixel (x, y): at least half opaque there. */
        boolean covers(int x, int y) {
            int cx = x - left;
            int cy = y - top;
            return cx >= 0 && cy >= 0 && cx < cutout.width() && cy < cutout.height()
                    && cutout.alpha()[cy * cutout.width() + cx] >= 0.5f;
        }

        /** The share of this face's box (pixel centres inside it) that none of {@code above} covers. */
        double visibility(List<Placed> above) {
            int total = 0;
            int seen = 0;
            for (int y = (int) Math.ceil(y1() - 0.5); y + 0.5 <= y2(); y++) {
                for (int x = (int) Math.ceil(x1() - 0.5); x + 0.5 <= x2(); x++) {
                    total++;
                    boolean covered = false;
                    for (Placed other : above) {
                        if (other.covers(x, y)) {
                            covered = true;
                            break;
                        }
                    }
                    if (!covered) {
                        seen++;
                    }
                }
            }
            return total == 0 ? 0 : (double) seen / total;
        }

        void paste(byte[] canvas) {
            for (int cy = 0; cy < cutout.height(); cy++) {
                int y = top + cy;
                if (y < 0 || y >= HEIGHT) {
                    continue;
                }
                for (int cx = 0; cx < cutout.width(); cx++) {
                    int x = left + cx;
                    float a = cutout.alpha()[cy * cutout.width() + cx];
                    if (x < 0 || x >= WIDTH || a == 0) {
                        continue;
                    }
                    int to = (y * WIDTH + x) * 3;
                    int from = (cy * cutout.width() + cx) * 3;
                    for (int channel = 0; channel < 3; channel++) {
                        float blended = a * (cutout.bgr()[from + channel] & 0xff) + (1 - a) * (canvas[to + channel] & 0xff);
                        canvas[to + channel] = (byte) Math.round(blended);
                    }
                }
            }
        }
    }

    /**
     * Cuts the photo's best face with a generous margin, scales it to the face height and finds the
     * face again in the cutout alone: that box is the reference.
     */
    static Cutout cut(Path photo, int faceHeight, FaceDetector.Session detector) throws IOException {
        byte[] bytes = Files.readAllBytes(photo);
        DetectedFace face = best(detect(detector, bytes, photo.toString()), photo.toString());
        Mat image = Imgcodecs.imdecode(new MatOfByte(bytes), Imgcodecs.IMREAD_COLOR);
        try {
            double w = face.x2() - face.x1();
            double h = face.y2() - face.y1();
            int cropWidth = (int) Math.min(image.cols(), Math.round(w * CROP_WIDTH));
            int cropHeight = (int) Math.min(image.rows(), Math.round(h * CROP_HEIGHT));
            int cropLeft = clamp((int) Math.round((face.x1() + face.x2()) / 2 - cropWidth / 2.0), 0, image.cols() - cropWidth);
            int cropTop = clamp((int) Math.round((face.y1() + face.y2()) / 2 - cropHeight / 2.0), 0, image.rows() - cropHeight);
            double scale = faceHeight / h;
            Mat scaled = new Mat();
            Imgproc.resize(image.submat(new Rect(cropLeft, cropTop, cropWidth, cropHeight)), scaled,
                    new Size(Math.round(cropWidth * scale), Math.round(cropHeight * scale)), 0, 0,
                    scale < 1 ? Imgproc.INTER_AREA : Imgproc.INTER_CUBIC);
            try {
                MatOfByte png = new MatOfByte();
                Imgcodecs.imencode(".png", scaled, png);
                String where = photo.getFileName() + "'s cutout";
                DetectedFace again = best(detect(detector, png.toArray(), where), where);
                double expectedIou = TrackingGroundTruth.iou(again.x1(), again.y1(), again.x2(), again.y2(),
                        (face.x1() - cropLeft) * scale, (face.y1() - cropTop) * scale,
                        (face.x2() - cropLeft) * scale, (face.y2() - cropTop) * scale);
                if (again.score() < MIN_CUTOUT_SCORE || expectedIou < 0.5) {
                    throw new IllegalStateException(where + ": the detector finds its face with score " + again.score()
                            + " and IoU " + expectedIou + " with the photo's face; choose another photo or face height");
                }
                int width = scaled.cols();
                int height = scaled.rows();
                byte[] bgr = new byte[width * height * 3];
                scaled.get(0, 0, bgr);
                return new Cutout(width, height, bgr, mask(width, height, again), again.x1(), again.y1(), again.x2(), again.y2());
            } finally {
                scaled.release();
            }
        } finally {
            image.release();
        }
    }

    private static List<DetectedFace> detect(FaceDetector.Session detector, byte[] bytes, String what) throws IOException {
        try {
            return detector.detect(bytes, null).faces();
        } catch (ImageRejectedException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    private static DetectedFace best(List<DetectedFace> faces, String where) {
        return faces.stream().max(Comparator.comparingDouble(DetectedFace::score))
                .orElseThrow(() -> new IllegalStateException(where + ": the detector finds no face"));
    }

    /** Opaque inside an ellipse around the face box, fading to transparent over its rim. */
    private static float[] mask(int width, int height, DetectedFace face) {
        double cx = (face.x1() + face.x2()) / 2;
        double cy = (face.y1() + face.y2()) / 2;
        double a = MASK_HALF_WIDTH * (face.x2() - face.x1()) / 2;
        double b = MASK_HALF_HEIGHT * (face.y2() - face.y1()) / 2;
        float[] alpha = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double dx = (x + 0.5 - cx) / a;
                double dy = (y + 0.5 - cy) / b;
                double r = Math.sqrt(dx * dx + dy * dy);
                alpha[y * width + x] = (float) Math.max(0, Math.min(1, (1 - r) / MASK_FEATHER));
            }
        }
        return alpha;
    }

    /** A grey-blue wall: a vertical gradient with soft blotches and a little grain. */
    private static byte[] background(Random random) {
        int gridWidth = 17;
        int gridHeight = 10;
        Mat blotches = new Mat(gridHeight, gridWidth, CvType.CV_32FC1);
        float[] grid = new float[gridWidth * gridHeight];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = (float) (random.nextDouble() * 2 - 1);
        }
        blotches.put(0, 0, grid);
        Mat smooth = new Mat();
        Imgproc.resize(blotches, smooth, new Size(WIDTH, HEIGHT), 0, 0, Imgproc.INTER_CUBIC);
        float[] field = new float[WIDTH * HEIGHT];
        smooth.get(0, 0, field);
        blotches.release();
        smooth.release();
        int[] top = {196, 186, 172};
        int[] bottom = {150, 142, 132};
        byte[] canvas = new byte[WIDTH * HEIGHT * 3];
        for (int y = 0; y < HEIGHT; y++) {
            double t = (double) y / (HEIGHT - 1);
            for (int x = 0; x < WIDTH; x++) {
                double light = 12 * field[y * WIDTH + x] + (random.nextDouble() * 6 - 3);
                for (int channel = 0; channel < 3; channel++) {
                    double v = top[channel] + (bottom[channel] - top[channel]) * t + light;
                    canvas[(y * WIDTH + x) * 3 + channel] = (byte) clamp((int) Math.round(v), 0, 255);
                }
            }
        }
        return canvas;
    }

    private static byte[] jpeg(byte[] bgr) {
        Mat mat = new Mat(HEIGHT, WIDTH, CvType.CV_8UC3);
        try {
            mat.put(0, 0, bgr);
            MatOfByte out = new MatOfByte();
            if (!Imgcodecs.imencode(".jpg", mat, out, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, JPEG_QUALITY))) {
                throw new IllegalStateException("OpenCV cannot encode JPEG");
            }
            return out.toArray();
        } finally {
            mat.release();
        }
    }

    private static int clamp(int v, int min, int max) {
        return Math.max(min, Math.min(max, v));
    }
}
