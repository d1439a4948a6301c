package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriorBoxDecoderTest {

    private static ModelDescriptor.Priors priors() {
        ModelDescriptor.Priors priors = new ModelDescriptor.Priors();
        priors.minSizes = new float[][] {{10, 20}, {32, 64}, {128, 256}};
        priors.steps = new int[] {8, 16, 32};
        priors.variances = new float[] {0.1f, 0.2f};
        return priors;
    }

    private final PriorBoxDecoder decoder = new PriorBoxDecoder(priors());

    @Test
    void priorsGoPerStepRowByRowThenPerMinSize() {
        // 40 wide, 24 high: step 8 -> 3 rows x 5 columns, step 16 -> 2 x 3, step 32 -> 1 x 2; two sizes each.
        float[] boxes = decoder.priorBoxes(40, 24);
        assertThat(boxes.length / 4).isEqualTo(2 * (15 + 6 + 2));
        // first: row 0, column 0, min size 10 -> centre (4/40, 4/24), size (10/40, 10/24)
        assertThat(boxes).startsWith(0.1f, 4f / 24, 0.25f, 10f / 24);
        // second: same cell, min size 20
        assertThat(boxes[4]).isEqualTo(0.1f);
        assertThat(boxes[6]).isEqualTo(0.5f);
        // third: row 0, column 1 -> centre x 12/40
        assertThat(boxes[8]).isEqualTo(0.3f);
        // eleventh (index 10): row 1, column 0 -> centre y 12/24
        assertThat(boxes[4 * 10 + 1]).isEqualTo(0.5f);
        // first prior of step 16: index 30, centre (8/40, 8/24), size 32
        assertThat(boxes[4 * 30]).isEqualTo(0.2f);
        assertThat(boxes[4 * 30 + 2]).isEqualTo(32f / 40);
    }

    @Test
    void decodesOffsetsWithVariancesIntoInputPixels() {
        float[] boxes = decoder.priorBoxes(40, 24);
        int count = boxes.length / 4;
        float[] loc = new float[4 * count];
        float[] conf = new float[2 * count];
        float[] landms = new float[10 * count];
        int p = 30; // centre (8, 8) px, 32 x 32 px
        conf[2 * p + 1] = 0.95f;
        conf[2 * 3 + 1] = 0.9f; // exactly the threshold: the seed keeps scores strictly above it
        loc[4 * p] = 0.5f;      // cx: 8 + 0.5 * 0.1 * 32 = 9.6
        loc[4 * p + 2] = (float) (Math.log(2) / 0.2); // w: 32 * 2 = 64
        landms[10 * p + 4] = -1f; // nose x: 8 - 0.1 * 32 = 4.8
        List<DetectedFace> faces = decoder.decode(FloatBuffer.wrap(loc), FloatBuffer.wrap(conf), FloatBuffer.wrap(landms), 40, 24, 0.9f);
        assertThat(faces).hasSize(1);
        DetectedFace face = faces.get(0);
        assertThat(face.score()).isEqualTo(0.95f);
        assertThat(face.x1()).isCloseTo(9.6f - 32, within(1e-4f));
        assertThat(face.x2()).isCloseTo(9.6f + 32, within(1e-4f));
        assertThat(face.y1()).isCloseTo(8f - 16, within(1e-4f));
        assertThat(face.y2()).isCloseTo(8f + 16, within(1e-4f));
        assertThat(face.landmarkX(2)).isCloseTo(4.8f, within(1e-4f));
        assertThat(face.landmarkY(2)).isCloseTo(8f, within(1e-4f));
    }

    @Test
    void priorsOfEveryDistinctInputSizeDoNotPileUp() {
        // The seed size policy gives one input size per image size; a decoder lives as long as its thread.
        float[] first = decoder.priorBoxes(40, 24);
        for (int width = 64; width < 64 + 100; width++) {
            decoder.priorBoxes(width, 48);
        }
        assertThat(decoder.cachedSizes()).isEqualTo(PriorBoxDecoder.CACHED_SIZES);
        float[] recent = decoder.priorBoxes(163, 48);
        assertThat(decoder.priorBoxes(163, 48)).as("a size in use stays cached").isSameAs(recent);
        assertThat(decoder.priorBoxes(40, 24)).as("an evicted size is computed again").isNotSameAs(first).isEqualTo(first);
        assertThat(decoder.cachedSizes()).isEqualTo(PriorBoxDecoder.CACHED_SIZES);
    }
}
