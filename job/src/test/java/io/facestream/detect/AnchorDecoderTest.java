package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made head tensors for one stride-8 level of 2x2 cells with two anchors (sides 32 and 16). */
class AnchorDecoderTest {

    private static final int A = 2;
    private static final int H = 2;
    private static final int W = 2;
    private static final int PLANE = H * W;

    private final AnchorDecoder decoder = new AnchorDecoder(List.of(new AnchorDecoder.StrideAnchors(8, new float[] {32, 16})), 0.2f);

    private final float[] scores = new float[2 * A * PLANE];
    private final float[] boxes = new float[4 * A * PLANE];
    private final float[] landmarks = new float[10 * A * PLANE];

    private List<DetectedFace> decode(float threshold) {
        return decoder.decode(List.of(new AnchorDecoder.StrideOutput(8, H, W, FloatBuffer.wrap(scores), FloatBuffer.wrap(boxes), FloatBuffer.wrap(landmarks))), threshold);
    }

    @Test
    void decodesBoxAndLandmarksOfTheScoringAnchor() {
        int a = 1;
        int cell = 0 * W + 1; // x = 1, y = 0: anchor centre (7.5 + 8, 7.5) = (15.5, 7.5), side 16
        scores[(A + a) * PLANE + cell] = 0.9f;
        boxes[(4 * a) * PLANE + cell] = 0.1f;               // dx: centre x 15.5 + 1.6 = 17.1
        boxes[(4 * a + 1) * PLANE + cell] = -0.2f;          // dy: centre y 7.5 - 3.2 = 4.3
        boxes[(4 * a + 2) * PLANE + cell] = (float) Math.log(2); // width 16 * 2 = 32
        boxes[(4 * a + 3) * PLANE + cell] = 0f;             // height 16
        landmarks[(10 * a) * PLANE + cell] = 1f;            // left eye x: 15.5 + 1 * 0.2 * 16 = 18.7
        landmarks[(10 * a + 1) * PLANE + cell] = -1f;       // left eye y: 7.5 - 3.2 = 4.3
        landmarks[(10 * a + 8) * PLANE + cell] = 0.5f;      // right mouth corner x: 15.5 + 1.6 = 17.1

        List<DetectedFace> faces = decode(0.5f);

        assertThat(faces).hasSize(1);
        DetectedFace face = faces.get(0);
        assertThat(face.score()).isEqualTo(0.9f);
        assertThat(face.x1()).isCloseTo(17.1f - 15.5f, within(1e-4f));
        assertThat(face.x2()).isCloseTo(17.1f + 15.5f, within(1e-4f));
        assertThat(face.y1()).isCloseTo(4.3f - 7.5f, within(1e-4f));
        assertThat(face.y2()).isCloseTo(4.3f + 7.5f, within(1e-4f));
        assertThat(face.landmarkX(0)).isCloseTo(18.7f, within(1e-4f));
        assertThat(face.landmarkY(0)).isCloseTo(4.3f, within(1e-4f));
        assertThat(face.landmarkX(4)).isCloseTo(17.1f, within(1e-4f));
        assertThat(face.landmarkY(4)).isCloseTo(7.5f, within(1e-4f));
        assertThat(face.landmarkX(2)).isCloseTo(15.5f, within(1e-4f)); // zero delta: the anchor centre
    }

    @Test
    void readsTheFaceChannelsNotTheBackgroundOnes() {
        scores[0] = 0.99f; // background channel of anchor 0, cell 0
        scores[(A + 0) * PLANE + 3] = 0.6f; // face channel of anchor 0, cell (1, 1)
        List<DetectedFace> faces = decode(0.5f);
        assertThat(faces).hasSize(1);
        // anchor 0 is 32 wide, centred at (15.5, 15.5): corners at 15.5 -/+ 15.5
        assertThat(faces.get(0).x1()).isCloseTo(0f, within(1e-4f));
        assertThat(faces.get(0).y2()).isCloseTo(31f, within(1e-4f));
    }

    @Test
    void dropsAnchorsUnderTheThreshold() {
        scores[(A + 1) * PLANE + 2] = 0.49f;
        assertThat(decode(0.5f)).isEmpty();
        assertThat(decode(0.49f)).hasSize(1);
    }

    @Test
    void rejectsTensorsOfTheWrongShape() {
        assertThatThrownBy(() -> decoder.decode(List.of(new AnchorDecoder.StrideOutput(8, H, W, FloatBuffer.wrap(new float[3]), FloatBuffer.wrap(boxes), FloatBuffer.wrap(landmarks))), 0.5f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stride 8: scores have 3 values, expected 16");
    }
}
