package io.facestream.cli;

import io.facestream.detect.GoldenDetections;
import io.facestream.detect.Natives;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.opencv.videoio.VideoWriter;

/** Small Motion JPEG AVI files written with OpenCV's own writer, from the testdata pictures. */
final class TestVideos {

    static final int WIDTH = 320;
    static final int HEIGHT = 240;

    private TestVideos() {}

    /** {@code frames} frames at {@code fps}, the testdata pictures in turn, each scaled to {@value #WIDTH} x {@value #HEIGHT}. */
    static Path mjpegAvi(Path file, int frames, double fps) {
        Natives.loadOpenCv();
        List<Mat> pictures = new ArrayList<>();
        for (String name : List.of("Chris.jpeg", "Bryan.png", "montage_4faces.png", "coffee.png")) {
            Mat picture = Imgcodecs.imread(GoldenDetections.testdata().resolve(name).toString());
            Mat scaled = new Mat();
            Imgproc.resize(picture, scaled, new Size(WIDTH, HEIGHT));
            picture.release();
            pictures.add(scaled);
        }
        VideoWriter writer = new VideoWriter(file.toString(), VideoWriter.fourcc('M', 'J', 'P', 'G'), fps, new Size(WIDTH, HEIGHT));
        try {
            if (!writer.isOpened()) {
                throw new IllegalStateException("OpenCV cannot write " + file);
            }
            for (int i = 0; i < frames; i++) {
                writer.write(pictures.get(i % pictures.size()));
            }
        } finally {
            writer.release();
            pictures.forEach(Mat::release);
        }
        return file;
    }
}
