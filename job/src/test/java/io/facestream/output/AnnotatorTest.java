package io.facestream.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.DecodedImage;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.Natives;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Where a face's score and track id go: whole, inside the picture, also for faces at its edges. */
@Timeout(60)
class AnnotatorTest {

    private static final Scalar GREEN = new Scalar(0, 255, 0);

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadOpenCv() {
        Natives.loadOpenCv();
    }

    /** A face with its landmarks in the lower half of the box, away from where the score goes. */
    private static DetectedFace face(float x1, float y1, float x2, float y2) {
        float w = x2 - x1;
        float h = y2 - y1;
        return new DetectedFace(0.987f, x1, y1, x2, y2, new float[] {
            x1 + 0.3f * w, y1 + 0.6f * h, x1 + 0.7f * w, y1 + 0.6f * h, x1 + 0.5f * w, y1 + 0.7f * h,
            x1 + 0.35f * w, y1 + 0.85f * h, x1 + 0.65f * w, y1 + 0.85f * h});
    }

    @ParameterizedTest(name = "{0}x{1} picture, box {2},{3} to {4},{5}")
    @CsvSource({
        "1920, 1080, 1700,   0, 1919,  260",
        "1920, 1080,    0,   0,  180,  200",
        "1920, 1080, 1890, 500, 1919,  540",
        "1920, 1080, 1800,   0, 1919,   30",
        " 512,  678,  400,   0,  511,   90",
        " 640,  480,  630,   2,  639,   12",
    })
    void theLabelOfAFaceAtTheTopOrRightEdgeLiesWithinThePicture(int width, int height, float x1, float y1, float x2, float y2) {
        Rect label = Annotator.labelBox(face(x1, y1, x2, y2), width, height);

        assertThat(label.width).as("room for the four digits of the score").isGreaterThan(20);
        assertThat(label.height).isGreaterThan(8);
        assertThat(label.x).isNotNegative();
        assertThat(label.y).isNotNegative();
        assertThat(label.x + label.width).isLessThanOrEqualTo(width);
        assertThat(label.y + label.height).isLessThanOrEqualTo(height);
    }

    @Test
    void withRoomAboveTheBoxTheLabelSitsAboveIt() {
        Rect label = Annotator.labelBox(face(800, 400, 1000, 650), 1920, 1080);

        assertThat(label.x).isEqualTo(800);
        assertThat(label.y).isNotNegative();
        assertThat(label.y + label.height).isLessThan(400);
    }

    @Test
    void atTheTopEdgeTheLabelSitsInsideTheBoxBelowItsTopLine() {
        Rect label = Annotator.labelBox(face(700, 0, 900, 250), 1920, 1080);

        assertThat(label.x).isEqualTo(700);
        assertThat(label.y).isGreaterThan(5);
        assertThat(label.y + label.height).isLessThan(250);
    }

    /** On a black frame, everything pure green inside a face's box (its outline aside) is the score, drawn where labelBox says. */
    @Test
    void theScoreIsDrawnInTheLabelBox() {
        DetectedFace face = face(1600, 0, 1919, 300);
        Rect label = Annotator.labelBox(face, 1920, 1080);
        Path file = tmp.resolve("frame.png");

        try (DecodedImage black = new DecodedImage(Mat.zeros(1080, 1920, CvType.CV_8UC3))) {
            Annotator.write(black, List.of(face), file, Annotator.Format.PNG);
        }

        Mat drawn = Imgcodecs.imread(file.toString());
        Mat green = new Mat();
        Core.inRange(drawn, GREEN, GREEN, green);
        int outline = 8;
        Rect inside = new Rect(1600 + outline, outline, 319 - 2 * outline, 300 - 2 * outline);
        int greenInside = Core.countNonZero(green.submat(inside));
        int greenInLabel = Core.countNonZero(green.submat(intersection(inside, label)));
        assertThat(greenInside).as("score pixels").isGreaterThan(100);
        assertThat(greenInLabel).isEqualTo(greenInside);
    }

    @ParameterizedTest(name = "{0}x{1} picture, box {2},{3} to {4},{5}")
    @CsvSource({
        "1920, 1080, 800, 400, 1000,  650",
        "1920, 1080, 800, 900, 1000, 1079",
        "1920, 1080, 1850, 900, 1919, 1079",
        " 640,  480,    0, 470,   20,  479",
    })
    void theTrackIdOfAFaceGoesBelowItsBoxOrInsideItsBottomEdgeWithinThePicture(int width, int height, float x1, float y1,
                                                                              float x2, float y2) {
        Rect label = Annotator.trackLabelBox(face(x1, y1, x2, y2), "lobby-17", width, height);

        assertThat(label.width).as("room for eight characters").isGreaterThan(40);
        assertThat(label.x).isNotNegative();
        assertThat(label.y).isNotNegative();
        assertThat(label.x + label.width).isLessThanOrEqualTo(width);
        assertThat(label.y + label.height).isLessThanOrEqualTo(height);
        assertThat(label.y > y2 || label.y + label.height < y2).as("below the box or inside its bottom edge, not across it: "
                + label).isTrue();
        if (y2 < height - 100) {
            assertThat(label.y).as("below the box where there is room").isGreaterThan((int) y2);
        }
    }

    /** On a black frame the track id is what is drawn in its colour, inside the box labelBox gives; without an id nothing is there. */
    @Test
    void aFaceWithATrackIdHasItDrawnBelowItsBox() {
        DetectedFace face = face(800, 400, 1000, 650);
        String trackId = "lobby-17";
        Rect label = Annotator.trackLabelBox(face, trackId, 1920, 1080);
        Path tracked = tmp.resolve("tracked.png");
        Path untracked = tmp.resolve("untracked.png");

        try (DecodedImage black = new DecodedImage(Mat.zeros(1080, 1920, CvType.CV_8UC3))) {
            Annotator.write(black, List.of(face), List.of(trackId), tracked, Annotator.Format.PNG);
            Annotator.write(black, List.of(face), Arrays.asList((String) null), untracked, Annotator.Format.PNG);
        }

        Scalar colour = Annotator.trackColour(trackId);
        assertThat(colour.val).as("not the boxes' green").isNotEqualTo(GREEN.val);
        Mat inColour = new Mat();
        Core.inRange(Imgcodecs.imread(tracked.toString()), colour, colour, inColour);
        int everywhere = Core.countNonZero(inColour);
        assertThat(everywhere).as("track id pixels").isGreaterThan(100);
        assertThat(Core.countNonZero(inColour.submat(label))).isEqualTo(everywhere);
        Mat plain = new Mat();
        Imgproc.cvtColor(Imgcodecs.imread(untracked.toString()), plain, Imgproc.COLOR_BGR2GRAY);
        assertThat(Core.countNonZero(plain.submat(label))).as("nothing below the box without a track id").isZero();
    }

    @Test
    void theSameTrackIdHasTheSameColourAndIdsTakeSeveral() {
        assertThat(Annotator.trackColour("cam-1#4").val).isEqualTo(Annotator.trackColour("cam-" + 1 + "#4").val);
        Set<List<Double>> colours = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            colours.add(Arrays.stream(Annotator.trackColour("cam-1#" + i).val).boxed().toList());
        }
        assertThat(colours).hasSizeGreaterThan(4);
    }

    private static Rect intersection(Rect a, Rect b) {
        int x = Math.max(a.x, b.x);
        int y = Math.max(a.y, b.y);
        return new Rect(x, y, Math.min(a.x + a.width, b.x + b.width) - x, Math.min(a.y + a.height, b.y + b.height) - y);
    }
}
