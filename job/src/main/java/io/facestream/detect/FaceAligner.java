package io.facestream.detect;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Cuts faces out as the square crops face-recognition models take: the similarity that fits the
 * five landmarks best to the ArcFace template ({@link SimilarityTransform#fit}, Umeyama's least
 * squares), OpenCV's warpAffine, JPEG.
 *
 * <p>The template is insightface's {@code arcface_dst} for 112x112 crops, scaled by size/112 for
 * other sizes. (insightface's own {@code norm_crop} does the same for multiples of 112, but for
 * other sizes scales by size/128 and shifts x by 8 * size/128; so a 128 crop here is not its 128
 * crop.) Its points are, in order, the eye, eye, nose, mouth corner, mouth corner with the
 * smaller x first, that is left and right as seen in the image: the order of {@link DetectedFace}'s
 * landmarks, and of the RetinaFace and SCRFD detectors insightface aligns with. So they pair
 * one to one, with no swap.
 *
 * <p>Pixels the face's square reaches beyond the image are black (a constant border, not a
 * replicated edge): that is insightface's {@code borderValue=0.0}, so the crops look like those
 * ArcFace models were trained and evaluated on, and smeared edge pixels would look like face
 * structure to them. Sampling is bilinear, also as there. Thread-safe.
 */
public final class FaceAligner {

    /** The side of the crop {@link #ARCFACE_TEMPLATE} is given for. */
    public static final int TEMPLATE_SIZE = 112;
    /** Pixel centres of the image-left eye, image-right eye, nose, image-left and image-right mouth corner. */
    private static final double[] ARCFACE_TEMPLATE = {
        38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041};
    /** A 4096x4096 BGR crop is 48 MiB; anything larger is a mistake, not a face crop. */
    public static final int MAX_SIZE = 4096;

    private final int size;
    private final int jpegQuality;
    private final double[] template;

    /**
     * @param size side of the square crop in pixels, 1 to {@value #MAX_SIZE}
     * @param jpegQuality libjpeg quality, 0 to 100
     */
    public FaceAligner(int size, int jpegQuality) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("A face crop's size must be 1 to " + MAX_SIZE + " pixels, got " + size + ".");
        }
        if (jpegQuality < 0 || jpegQuality > 100) {
            throw new IllegalArgumentException("A JPEG quality must be 0 to 100, got " + jpegQuality + ".");
        }
        Natives.loadOpenCv();
        this.size = size;
        this.jpegQuality = jpegQuality;
        this.template = template(size);
    }

    /** The template's points for a crop of side {@code size}: x0, y0, ... x4, y4. */
    public static double[] template(int size) {
        double[] scaled = new double[ARCFACE_TEMPLATE.length];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = ARCFACE_TEMPLATE[i] * size / TEMPLATE_SIZE;
        }
        return scaled;
    }

    public int size() {
        return size;
    }

    public int jpegQuality() {
        return jpegQuality;
    }

    /** The face's alignment, from landmarks in the image's pixels, without touching pixels. */
    public FaceAlignment fit(DetectedFace face) {
        double[] landmarks = new double[2 * DetectedFace.LANDMARK_COUNT];
        for (int i = 0; i < landmarks.length; i++) {
            landmarks[i] = face.landmarks()[i];
        }
        SimilarityTransform toCrop = SimilarityTransform.fit(landmarks, template);
        double squares = 0;
        double max = 0;
        for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
            double x = landmarks[2 * p];
            double y = landmarks[2 * p + 1];
            double distance = Math.hypot(toCrop.mapX(x, y) - template[2 * p], toCrop.mapY(x, y) - template[2 * p + 1]);
            squares += distance * distance;
            max = Math.max(max, distance);
        }
        return new FaceAlignment(toCrop, Math.sqrt(squares / DetectedFace.LANDMARK_COUNT), max);
    }

    /**
     * The face's aligned crop. The face is in the original image's pixels, as detection results are;
     * an image decoded at reduced resolution ({@link DecodedImage#toOriginal()} > 1) is cropped from
     * its reduced pixels: a face smaller there than the crop comes out blurrier than from a full decode.
     *
     * @throws IllegalArgumentException when the landmarks are not finite or all coincide
     */
    public AlignedFace align(DecodedImage image, DetectedFace face) {
        FaceAlignment alignment = fit(face);
        // Decoded pixels are original pixels divided by toOriginal(), in the detector's convention.
        double[] m = alignment.imageToCrop().afterScaling(image.toOriginal()).toMatrix();
        Mat matrix = new Mat(2, 3, CvType.CV_64F);
        Mat crop = new Mat();
        MatOfByte jpeg = new MatOfByte();
        MatOfInt parameters = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, jpegQuality);
        try {
            matrix.put(0, 0, m);
            Imgproc.warpAffine(image.bgr(), crop, matrix, new Size(size, size), Imgproc.INTER_LINEAR,
                    Core.BORDER_CONSTANT, new Scalar(0, 0, 0));
            if (!Imgcodecs.imencode(".jpg", crop, jpeg, parameters)) {
                throw new IllegalStateException("OpenCV could not encode a " + size + "x" + size + " JPEG");
            }
            return new AlignedFace(jpeg.toArray(), size, alignment);
        } finally {
            matrix.release();
            crop.release();
            jpeg.release();
            parameters.release();
        }
    }
}
