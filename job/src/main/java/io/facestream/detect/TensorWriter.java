package io.facestream.detect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Writes an image into the model's input tensor as an input plan says: bilinear resize, placed
 * top-left, black padding, planar channels in the model's order, (pixel - mean) / std. Every step
 * runs in OpenCV's vectorised native code, straight into a reused direct buffer that the channel
 * planes are OpenCV matrices over (a Java loop over the pixels was the job's hottest Java code).
 * The buffers are reused from image to image (fresh native pages cost more than the copy), so one
 * writer belongs to one inference thread.
 */
final class TensorWriter implements AutoCloseable {

    private final int[] sourceChannel;
    private final float[] mean;
    private final float[] std;
    private final Mat resized = new Mat();
    private final Mat channel = new Mat();
    private ByteBuffer tensor = ByteBuffer.allocateDirect(0);
    /** The three channel planes, views of {@code tensor}. */
    private Mat[] planes = new Mat[0];
    private int tensorWidth;
    private int tensorHeight;

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
        preparePlanes(plan.tensorWidth(), plan.tensorHeight());
        for (int c = 0; c < 3; c++) {
            double inverseStd = 1.0 / std[c];
            double offset = -mean[c] * inverseStd;
            Mat plane = planes[c];
            Core.extractChannel(source, channel, sourceChannel[c]);
            Mat imageArea = plane.submat(0, height, 0, width);
            // convertTo writes into the sub-matrix in place: it already has the target's size and type.
            channel.convertTo(imageArea, CvType.CV_32F, inverseStd, offset);
            imageArea.release();
            Scalar padding = new Scalar(offset);
            if (width < tensorWidth) {
                fill(plane.submat(0, height, width, tensorWidth), padding);
            }
            if (height < tensorHeight) {
                fill(plane.submat(height, tensorHeight, 0, tensorWidth), padding);
            }
        }
        return tensor.asFloatBuffer().slice(0, 3 * tensorWidth * tensorHeight);
    }

    private void preparePlanes(int width, int height) {
        if (width == tensorWidth && height == tensorHeight && planes.length == 3) {
            return;
        }
        releasePlanes();
        int planeBytes = width * height * Float.BYTES;
        if (tensor.capacity() < 3 * planeBytes) {
            tensor = ByteBuffer.allocateDirect(3 * planeBytes).order(ByteOrder.nativeOrder());
        }
        planes = new Mat[3];
        for (int p = 0; p < planes.length; p++) {
            planes[p] = new Mat(height, width, CvType.CV_32FC1, tensor.slice(p * planeBytes, planeBytes));
        }
        tensorWidth = width;
        tensorHeight = height;
    }

    private static void fill(Mat area, Scalar value) {
        area.setTo(value);
        area.release();
    }

    private void releasePlanes() {
        for (Mat plane : planes) {
            plane.release();
        }
    }

    @Override
    public void close() {
        resized.release();
        channel.release();
        releasePlanes();
    }
}
