package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.facestream.detect.DecodedImage;
import io.facestream.detect.ImageDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A Motion JPEG AVI read back frame by frame by the bundled OpenCV, every frame or at most N per second. */
@Timeout(60)
class VideoFramesTest {

    @TempDir
    Path tmp;

    private static List<VideoFrames.Frame> read(Path video, Double fps) {
        List<VideoFrames.Frame> frames = new ArrayList<>();
        try (VideoFrames reader = new VideoFrames(video, fps)) {
            reader.forEachRemaining(frames::add);
        }
        return frames;
    }

    @Test
    void everyFrameComesAsAJpegWithItsTimestampInTheVideo() throws Exception {
        Path video = TestVideos.mjpegAvi(tmp.resolve("clip.avi"), 50, 25);

        List<VideoFrames.Frame> frames = read(video, null);

        assertThat(frames).extracting(VideoFrames.Frame::number).containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
        for (VideoFrames.Frame frame : frames) {
            assertThat(frame.millis()).as("frame %d", frame.number()).isCloseTo(frame.number() * 40.0, within(1e-6));
        }
        ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        try (DecodedImage first = decoder.decode(frames.get(0).jpeg(), null)) {
            assertThat(frames.get(0).jpeg()).startsWith((byte) 0xFF, (byte) 0xD8);
            assertThat(first.width()).isEqualTo(TestVideos.WIDTH);
            assertThat(first.height()).isEqualTo(TestVideos.HEIGHT);
        }
    }

    @Test
    void aFrameRateKeepsTheFirstFrameOfEachSlot() throws Exception {
        Path video = TestVideos.mjpegAvi(tmp.resolve("clip.avi"), 50, 25);

        List<VideoFrames.Frame> five = read(video, 5.0);
        List<VideoFrames.Frame> seven = read(video, 7.0);
        List<VideoFrames.Frame> more = read(video, 100.0);

        assertThat(five).extracting(VideoFrames.Frame::number).containsExactly(0, 5, 10, 15, 20, 25, 30, 35, 40, 45);
        // Slots of 1000/7 ms over 2 s of video: 14, each holding the first frame at or after its start.
        assertThat(seven).extracting(VideoFrames.Frame::number).containsExactly(0, 4, 8, 11, 15, 18, 22, 25, 29, 33, 36, 40, 43, 47);
        assertThat(more).as("a rate above the video's keeps every frame").hasSize(50);
    }

    /** 30 frames per second: frame 3 is at 100 ms in floating point, just at or below a 10 fps slot's start. */
    @Test
    void slotsAreNotMissedByRoundingOfTheTimestamps() throws Exception {
        Path video = TestVideos.mjpegAvi(tmp.resolve("clip.avi"), 30, 30);

        assertThat(read(video, 10.0)).extracting(VideoFrames.Frame::number).containsExactly(0, 3, 6, 9, 12, 15, 18, 21, 24, 27);
    }

    @Test
    void aFileOpenCvCannotReadOrThatIsMissingIsRefusedSayingSo() throws Exception {
        Path notVideo = Files.writeString(tmp.resolve("clip.mp4"), "not a video");

        assertThatThrownBy(() -> new VideoFrames(notVideo, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--video " + notVideo + ": the bundled OpenCV cannot open it")
                .hasMessageContaining("Motion JPEG AVI");
        assertThatThrownBy(() -> new VideoFrames(tmp.resolve("gone.avi"), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> new VideoFrames(notVideo, 0.0)).hasMessageContaining("--fps 0.0: must be above 0");
    }
}
