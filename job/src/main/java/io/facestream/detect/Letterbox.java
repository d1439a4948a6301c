package io.facestream.detect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Letterboxes an image into a square model input: scaled by {@code min(S/w, S/h)} with bilinear
 * resizing to {@code round(w*scale) x round(h*scale)}, placed top-left, zero padding, written as
 * planar RGB floats 0..255 into a direct buffer that is reused for every image (fresh native pages
 * cost more than the copy). Not thread-safe: one per inference thread.
 */
public final class Letterbox implements AutoCloseable {

    private final int size;
    private final byte[] pixels;
    private final FloatBuffer tensor;
    private final Mat resized = new Mat();

    public Letterbox(int size) {
        this.size = size;
        this.pixels = new byte[size * size * 3];
        this.tensor = ByteBuffer.allocateDirect(3 * size * size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public int size() {
        return size;
    }

    /** Fills {@link #tensor()} from the image and returns the scale factor applied. */
    public float fill(DecodedImage image) {
        float scale = Math.min((float) size / image.width(), (float) size / image.height());
        int width = Math.min(size, Math.max(1, Math.round(image.width() * scale)));
        int height = Math.min(size, Math.max(1, Math.round(image.height() * scale)));
        Imgproc.resize(image.bgr(), resized, new Size(width, height), 0, 0, Imgproc.INTER_LINEAR);
        resized.get(0, 0, pixels); // continuous BGR rows of `width` pixels
        int plane = size * size;
        tensor.clear();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int at = y * size + x;
                if (y < height && x < width) {
                    int src = (y * width + x) * 3;
                    tensor.put(at, pixels[src + 2] & 0xFF);
                    tensor.put(plane + at, pixels[src + 1] & 0xFF);
                    tensor.put(2 * plane + at, pixels[src] & 0xFF);
                } else {
                    tensor.put(at, 0f);
                    tensor.put(plane + at, 0f);
                    tensor.put(2 * plane + at, 0f);
                }
            }
        }
        return scale;
    }

    /** The model input written by the last {@link #fill}: 3 x size x size, RGB planes. */
    public FloatBuffer tensor() {
        return tensor.duplicate().rewind();
    }

    @Override
    public void close() {
        resized.release();
    }
}
