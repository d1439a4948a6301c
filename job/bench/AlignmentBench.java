import io.facestream.detect.DetectedFace;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceAligner;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.FaceImages;
import io.facestream.detect.FaceImagesSettings;
import io.facestream.detect.ImageDetections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * How well the aligned crops are aligned, on every face (score >= the detector's threshold) of the
 * images in a folder, with the job's detector and crop settings (112x112 by default):
 * <ul>
 * <li>fit residual: root mean square and largest distance, in crop pixels, between the five landmarks
 * mapped into the crop and the ArcFace template's points (the crop's alignmentErrorPx);
 * <li>re-detected: the crop enlarged 4x (bicubic) is run through the detector again, and its landmarks
 * (scaled back) are compared with the template's points: where the face's features really are in the
 * crop as the detector sees them, so landmark error is in it too.
 * </ul>
 *
 * java -cp job/target/facestream.jar job/bench/AlignmentBench.java IMAGES_DIR [CROP_SIZE]
 */
public class AlignmentBench {

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int size = args.length > 1 ? Integer.parseInt(args[1]) : FaceAligner.TEMPLATE_SIZE;
        double[] template = FaceAligner.template(size);
        List<Path> images;
        try (Stream<Path> files = Files.walk(folder)) {
            images = files.filter(p -> p.toString().matches("(?i).*\\.(jpe?g|png)$")).sorted().toList();
        }
        System.out.printf("method: %d images in %s, default detector; each face's %dx%d crop: fit residual (RMS, max; crop px) "
                + "and the crop enlarged 4x re-detected, its landmarks against the template (RMS, max; crop px)%n",
                images.size(), folder, size, size);
        List<double[]> rows = new ArrayList<>();
        int lost = 0;
        FaceImagesSettings crops = FaceImagesSettings.builder().crops(true).cropSize(size).build();
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults());
             FaceDetector.Session cropping = detector.newSession(crops);
             FaceDetector.Session plain = detector.newSession()) {
            for (Path image : images) {
                ImageDetections detections = cropping.detect(Files.readAllBytes(image), null);
                for (FaceImages.Crop crop : detections.images().crops()) {
                    DetectedFace face = detections.faces().get(crop.faceIndex());
                    List<DetectedFace> again = plain.detect(enlarged(crop.face().jpeg(), 4), "image/png").faces();
                    double[] redetected = {Double.NaN, Double.NaN};
                    if (again.isEmpty()) {
                        lost++;
                    } else {
                        redetected = distances(again.get(0), 4, template);
                    }
                    double faceHeight = face.y2() - face.y1();
                    rows.add(new double[] {crop.face().alignment().rmsErrorPx(), crop.face().alignment().maxErrorPx(),
                            redetected[0], redetected[1], faceHeight});
                    System.out.printf(Locale.ROOT, "%s face %d (score %.3f, %.0f px high): residual %.2f / %.2f, re-detected %.2f / %.2f%n",
                            folder.relativize(image), crop.faceIndex(), face.score(), faceHeight,
                            crop.face().alignment().rmsErrorPx(), crop.face().alignment().maxErrorPx(), redetected[0], redetected[1]);
                }
            }
        }
        System.out.printf(Locale.ROOT, "faces: %d (%d not found again in their enlarged crop)%n", rows.size(), lost);
        String[] names = {"fit residual RMS", "fit residual max", "re-detected RMS", "re-detected max"};
        for (int column = 0; column < names.length; column++) {
            int c = column;
            List<Double> values = rows.stream().map(r -> r[c]).filter(v -> !Double.isNaN(v)).sorted().toList();
            System.out.printf(Locale.ROOT, "%s: median %.2f, p90 %.2f, max %.2f px; within 3 px: %d of %d%n", names[column],
                    quantile(values, 0.5), quantile(values, 0.9), values.get(values.size() - 1),
                    values.stream().filter(v -> v <= 3).count(), values.size());
        }
    }

    /** RMS and largest distance of the face's landmarks, divided by {@code scale}, from the template's points. */
    private static double[] distances(DetectedFace face, double scale, double[] template) {
        double squares = 0;
        double max = 0;
        for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
            double d = Math.hypot(face.landmarkX(p) / scale - template[2 * p], face.landmarkY(p) / scale - template[2 * p + 1]);
            squares += d * d;
            max = Math.max(max, d);
        }
        return new double[] {Math.sqrt(squares / DetectedFace.LANDMARK_COUNT), max};
    }

    private static byte[] enlarged(byte[] jpeg, int factor) {
        Mat crop = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR);
        Mat large = new Mat();
        Imgproc.resize(crop, large, new Size(crop.cols() * factor, crop.rows() * factor), 0, 0, Imgproc.INTER_CUBIC);
        MatOfByte png = new MatOfByte();
        Imgcodecs.imencode(".png", large, png, new MatOfInt());
        return png.toArray();
    }

    private static double quantile(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * (sorted.size() - 1) + 0.5)));
    }
}
