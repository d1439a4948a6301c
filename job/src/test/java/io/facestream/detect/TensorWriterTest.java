package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

class TensorWriterTest {

    @BeforeAll
    static void loadOpenCv() {
        Natives.loadOpenCv();
    }

    @Test
    void bgrModelWithMeanAndStdGetsPlanarNormalisedPixelsAndPaddingOfNormalisedBlack() {
        ModelDescriptor model = ModelDescriptor.preset("biubug6-resnet50");
        model.std = new float[] {58.4f, 57.1f, 57.4f};
        try (TensorWriter writer = new TensorWriter(model)) {
            Mat image = randomImage(40, 50, 1);
            SizePolicy.InputPlan plan = new SizePolicy.InputPlan(1f, 50, 40, 64, 64);
            assertMatchesDefinition(writer.write(new DecodedImage(image), plan), image, plan, model);
        }
    }

    @Test
    void rgbModelReadsChannelsInReverseAndResizesBilinearly() {
        ModelDescriptor model = ModelDescriptor.preset(ModelDescriptor.DEFAULT_PRESET);
        try (TensorWriter writer = new TensorWriter(model)) {
            Mat image = randomImage(90, 160, 2);
            SizePolicy.InputPlan plan = new SizePolicy.InputPlan(0.4f, 64, 36, 64, 64);
            assertMatchesDefinition(writer.write(new DecodedImage(image), plan), image, plan, model);
        }
    }

    @Test
    void aReusedWriterLeavesNothingOfTheEarlierImageInThePadding() {
        ModelDescriptor model = ModelDescriptor.preset("biubug6-resnet50");
        try (TensorWriter writer = new TensorWriter(model)) {
            SizePolicy.InputPlan large = new SizePolicy.InputPlan(1f, 60, 60, 64, 64);
            writer.write(new DecodedImage(randomImage(60, 60, 3)), large);
            Mat small = randomImage(30, 20, 4);
            SizePolicy.InputPlan smallPlan = new SizePolicy.InputPlan(1f, 20, 30, 64, 64);
            assertMatchesDefinition(writer.write(new DecodedImage(small), smallPlan), small, smallPlan, model);
            // And a different tensor size after that.
            SizePolicy.InputPlan otherTensor = new SizePolicy.InputPlan(1f, 20, 30, 32, 32);
            assertMatchesDefinition(writer.write(new DecodedImage(small), otherTensor), small, otherTensor, model);
        }
    }

    /** The tensor as the model descriptor defines it, computed pixel by pixel. */
    private static void assertMatchesDefinition(FloatBuffer tensor, Mat image, SizePolicy.InputPlan plan, ModelDescriptor model) {
        Mat resized = new Mat();
        Imgproc.resize(image, resized, new Size(plan.resizedWidth(), plan.resizedHeight()), 0, 0, Imgproc.INTER_LINEAR);
        byte[] pixels = new byte[plan.resizedWidth() * plan.resizedHeight() * 3];
        resized.get(0, 0, pixels);
        int plane = plan.tensorWidth() * plan.tensorHeight();
        assertThat(tensor.remaining()).isEqualTo(3 * plane);
        for (int c = 0; c < 3; c++) {
            int source = model.channelOrder == ModelDescriptor.ChannelOrder.RGB ? 2 - c : c;
            for (int y = 0; y < plan.tensorHeight(); y++) {
                for (int x = 0; x < plan.tensorWidth(); x++) {
                    boolean inImage = x < plan.resizedWidth() && y < plan.resizedHeight();
                    int value = inImage ? pixels[(y * plan.resizedWidth() + x) * 3 + source] & 0xFF : 0;
                    float expected = (value - model.mean[c]) / model.std[c];
                    assertThat(tensor.get(tensor.position() + c * plane + y * plan.tensorWidth() + x))
                            .as("channel %d, x %d, y %d", c, x, y).isCloseTo(expected, within(1e-4f));
                }
            }
        }
    }

    private static Mat randomImage(int height, int width, long seed) {
        byte[] pixels = new byte[height * width * 3];
        new Random(seed).nextBytes(pixels);
        Mat image = new Mat(height, width, CvType.CV_8UC3);
        image.put(0, 0, pixels);
        return image;
    }
}
