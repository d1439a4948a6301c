package io.facestream.detect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Writes an image into the model's input tensor as an input plan says: bilinear resize, placed
 * top-left, black padding, planar channels in the model's order, (pixel - mean) / std. The
 * buffers are reused from image to image (fresh native pages cost more than the copy), so one
 * writer belongs to one inference thread.
 */
final class TensorWriter implements AutoCloseable {

    private final int[] sourceChannel;
    private final float[] mean;
    private final float[] std;
    private final Mat resized = new Mat();
    private byte[] pixels = new byte[0];
    private FloatBuffer tensor = FloatBuffer.allocate(0);

    TensorWriter(ModelDescriptor model) {
        // Decoded images are BGR: channel 0 of an RGB model reads source channel 2.
        this.sourceChannel = model.channelOrder == ModelDescriptor.ChannelOrder.RGB ? new int[] {2, 1, 0} : new int[] {0, 1, 2};
        this.mean = model.mean.clone();
        this.std = model.std.clone();
    }

    /** Returns the tensor (3 x tensorHeight x tensorWidth floats), valid until the next call. */
    FloatBuffer write(DecodedImage image, SizePolicy.InputPlan plan) {
        Mat source = image.bgr();
        int width = plan.resizedWidth();
        int height = plan.resizedHeight();
        if (width != image.width() || height != image.height()) {
            Imgproc.resize(source, resized, new Size(width, height), 0, 0, Imgproc.INTER_LINEAR);
            source = resized;
        }
        int pixelBytes = width * height * 3;
        if (pixels.length < pixelBytes) {
            pixels = new byte[pixelBytes];
        }
        source.get(0, 0, pixels); // continuous BGR rows of `width` pixels
        int tensorWidth = plan.tensorWidth();
        int tensorHeight = plan.tensorHeight();
        int plane = tensorWidth * tensorHeight;
        if (tensor.capacity() < 3 * plane) {
            tensor = ByteBuffer.allocateDirect(3 * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        for (int c = 0; c < 3; c++) {
            int src = sourceChannel[c];
            float m = mean[c];
            float inverseStd = 1f / std[c];
            float padding = (0 - m) * inverseStd;
            int base = c * plane;
            for (int y = 0; y < tensorHeight; y++) {
                int row = base + y * tensorWidth;
                if (y >= height) {
                    for (int x = 0; x < tensorWidth; x++) {
                        tensor.put(row + x, padding);
                    }
                    continue;
                }
                int pixelRow = y * width * 3 + src;
                for (int x = 0; x < width; x++) {
                    tensor.put(row + x, ((pixels[pixelRow + 3 * x] & 0xFF) - m) * inverseStd);
                }
                for (int x = width; x < tensorWidth; x++) {
                    tensor.put(row + x, padding);
                }
            }
        }
        FloatBuffer view = tensor.duplicate();
        view.position(0).limit(3 * plane);
        return view.slice();
    }

    @Override
    public void close() {
        resized.release();
    }
}
