package io.facestream.cli;

import io.facestream.cli.ImageSender.Outgoing;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Images sent as the frames of sources (cameras, streams), for the job's tracking: each frame
 * keyed by its source and with an event time after the one before it of the same source. The
 * first frame of each source has the moment sending starts as its event time.
 */
final class SourceFrames {

    /** An image file as the {@code index}-th frame of a source. */
    record FileFrame(ImageFiles.ImageFile file, String source, int index, Instant eventTime) {}

    private SourceFrames() {}

    /** Every file as a frame of one source, in the order given, {@code interval} apart. */
    static List<Outgoing> ofOneSource(List<ImageFiles.ImageFile> files, String source, String sourceField, Instant start,
                                      Duration interval) {
        List<Outgoing> frames = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            frames.add(outgoing(new FileFrame(files.get(i), source, i, start.plus(interval.multipliedBy(i))), sourceField));
        }
        return frames;
    }

    /**
     * Every folder under {@code root} as a source: its files (found under {@code root}, in name
     * order) are its frames, {@code interval} apart. The source of a folder is its path relative to
     * {@code root}; of {@code root} itself, its own name (unless a sub-folder has that path: then
     * {@code .}). Sources are interleaved by event time, so that no source's frames run ahead of
     * the others' in a shared partition, which would hold the others' back as late.
     */
    static List<FileFrame> byFolder(Path root, List<ImageFiles.ImageFile> files, Instant start, Duration interval) {
        Map<Path, List<ImageFiles.ImageFile>> folders = new LinkedHashMap<>();
        for (ImageFiles.ImageFile file : files.stream().sorted(Comparator.comparing(ImageFiles.ImageFile::relative)).toList()) {
            Path folder = file.relative().getParent();
            folders.computeIfAbsent(folder == null ? Path.of("") : folder, f -> new ArrayList<>()).add(file);
        }
        String rootSource = rootSource(root, folders.keySet());
        List<FileFrame> frames = new ArrayList<>(files.size());
        folders.forEach((folder, inFolder) -> {
            String source = folder.toString().isEmpty() ? rootSource : folder.toString().replace('\\', '/');
            for (int i = 0; i < inFolder.size(); i++) {
                frames.add(new FileFrame(inFolder.get(i), source, i, start.plus(interval.multipliedBy(i))));
            }
        });
        frames.sort(Comparator.comparing(FileFrame::eventTime).thenComparing(FileFrame::source));
        return frames;
    }

    private static String rootSource(Path root, Iterable<Path> folders) {
        Path name = root.toAbsolutePath().normalize().getFileName();
        if (name == null) {
            return ".";
        }
        for (Path folder : folders) {
            if (folder.toString().replace('\\', '/').equals(name.toString())) {
                return ".";
            }
        }
        return name.toString();
    }

    /** A file frame to send, its source also in {@code sourceField} where that is not null. */
    static Outgoing outgoing(FileFrame frame, String sourceField) {
        ImageRecords.Frame keyed = new ImageRecords.Frame(frame.source(), sourceField, frame.eventTime());
        return new Outgoing(frame.file().name(), records -> records.file(frame.file(), keyed));
    }

    /**
     * The frames of a video as frames of {@code source}, each at {@code start} plus its timestamp in
     * the video, as JPEGs with the event id {@code SOURCE/frame-NNNNNN} (its number in the video).
     */
    static Iterator<Outgoing> ofVideo(VideoFrames video, Path file, String source, String sourceField, Instant start) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return video.hasNext();
            }

            @Override
            public Outgoing next() {
                VideoFrames.Frame frame = video.next();
                String eventId = String.format(Locale.ROOT, "%s/frame-%06d", source, frame.number());
                // Event times are whole milliseconds (Avro's timestamp-millis, Kafka's timestamps): the nearest one.
                Instant eventTime = start.plusMillis(Math.round(frame.millis()));
                ImageRecords.Frame keyed = new ImageRecords.Frame(source, sourceField, eventTime);
                Map<String, String> metadata = Map.of("video", file.toString(), "frame", Integer.toString(frame.number()));
                return new Outgoing(eventId, records -> records.image(eventId, frame.jpeg(), "image/jpeg", metadata, keyed));
            }
        };
    }

    /** A video's source by default: its file name without the extension. */
    /** @throws IllegalArgumentException unless {@code interval}, the event time between a source's frames, is positive */
    static void checkInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("--frame-interval " + interval + ": must be positive, for the event times of "
                    + "a source's frames to increase");
        }
    }

    static String videoSource(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
