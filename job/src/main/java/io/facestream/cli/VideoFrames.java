package io.facestream.cli;

import io.facestream.detect.Natives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.videoio.VideoCapture;
import org.opencv.videoio.Videoio;

/**
 * The frames of a video file, each encoded as a JPEG with its timestamp in the video, read one at a
 * time as they are asked for; with a frame rate, at most that many per second of video time.
 *
 * <p>The bundled OpenCV (openpnp 4.9.0) is built without FFmpeg and GStreamer: its only file
 * backend is its own Motion JPEG reader ({@code CV_MJPEG}), so it reads MJPEG AVI files and
 * nothing else (H.264 MP4, for one, does not open).
 */
final class VideoFrames implements Iterator<VideoFrames.Frame>, AutoCloseable {

    /** A frame: its number in the video (from 0), its timestamp there in milliseconds, its JPEG bytes. */
    record Frame(int number, double millis, byte[] jpeg) {}

    /** Slack for timestamps computed in floating point (frame number / frame rate) that fall a hair short of a slot's start. */
    private static final double SLOT_TOLERANCE_MS = 1e-3;
    private static final int JPEG_QUALITY = 95;

    private final VideoCapture capture;
    private final double slotMillis;
    /** The backend reports the timestamp of the frame that the next grab returns, not of the one grabbed last. */
    private final boolean positionIsNextFrame;
    private final Mat pixels = new Mat();
    private long lastSlot = Long.MIN_VALUE;
    private int number = -1;
    private Frame next;
    private boolean ended;

    /**
     * Opens {@code file}; {@code fps} null for every frame.
     *
     * @throws IllegalArgumentException where the file does not exist or the bundled OpenCV cannot read it
     */
    VideoFrames(Path file, Double fps) {
        if (fps != null && !(fps > 0 && Double.isFinite(fps))) {
            throw new IllegalArgumentException("--fps " + fps + ": must be above 0");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--video " + file + ": no such file");
        }
        Natives.loadOpenCv();
        this.capture = new VideoCapture(file.toString(), Videoio.CAP_ANY);
        if (!capture.isOpened()) {
            capture.release();
            throw new IllegalArgumentException("--video " + file + ": the bundled OpenCV cannot open it. It reads Motion JPEG "
                    + "AVI files only (it has no FFmpeg); convert others first, e.g. ffmpeg -i " + file.getFileName()
                    + " -c:v mjpeg -q:v 3 -an video.avi");
        }
        this.slotMillis = fps == null ? 0 : 1000 / fps;
        // CV_MJPEG answers CAP_PROP_POS_MSEC with where it stands, that is the next frame; FFmpeg with the frame grabbed.
        this.positionIsNextFrame = capture.getBackendName().equals(Videoio.getBackendName(Videoio.CAP_OPENCV_MJPEG));
    }

    /** The video's frame rate as its file gives it; 0 where it gives none. */
    double framesPerSecond() {
        return capture.get(Videoio.CAP_PROP_FPS);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            next = read();
            ended = next == null;
        }
        return next != null;
    }

    @Override
    public Frame next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Frame frame = next;
        next = null;
        return frame;
    }

    /** The next frame to send, skipping those in a slot already sent; null at the end. */
    private Frame read() {
        while (true) {
            double before = capture.get(Videoio.CAP_PROP_POS_MSEC);
            if (!capture.grab()) {
                return null;
            }
            number++;
            double millis = positionIsNextFrame ? before : capture.get(Videoio.CAP_PROP_POS_MSEC);
            if (slotMillis > 0) {
                long slot = (long) Math.floor((millis + SLOT_TOLERANCE_MS) / slotMillis);
                if (slot <= lastSlot) {
                    continue;
                }
                lastSlot = slot;
            }
            if (!capture.retrieve(pixels) || pixels.empty()) {
                throw new IllegalStateException("frame " + number + " of the video could not be decoded");
            }
            MatOfByte jpeg = new MatOfByte();
            MatOfInt parameters = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, JPEG_QUALITY);
            try {
                if (!Imgcodecs.imencode(".jpg", pixels, jpeg, parameters)) {
                    throw new IllegalStateException("could not encode frame " + number + " as JPEG");
                }
                return new Frame(number, millis, jpeg.toArray());
            } finally {
                jpeg.release();
                parameters.release();
            }
        }
    }

    @Override
    public void close() {
        pixels.release();
        capture.release();
    }
}
