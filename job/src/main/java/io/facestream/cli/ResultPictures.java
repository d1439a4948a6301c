package io.facestream.cli;

import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.job.Results;
import io.facestream.output.AnnotationWriter;
import io.facestream.output.Annotator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Annotated pictures of results, for {@code render} and {@code local}: each result's image is
 * found under a folder by its event id (the path under the folder that {@code produce},
 * {@code detect} and {@code local} name images by), and drawn by an {@link AnnotationWriter}'s
 * threads.
 */
final class ResultPictures implements AutoCloseable {

    /** Results waiting for a thread; a path and a few faces each, so many can wait before whoever hands them over waits. */
    private static final int PENDING = 1024;

    private final Path images;
    private final AnnotationWriter writer;

    ResultPictures(Path images, Path out, Annotator.Format format) {
        this.images = images;
        this.writer = new AnnotationWriter(out, format, Runtime.getRuntime().availableProcessors(), PENDING);
    }

    /** Queues the picture of the result's image; one that is not under the folder is a problem of the outcome. */
    void draw(FaceDetectionResult result) throws InterruptedException {
        String name = result.getEventId();
        Path file = images.resolve(name).normalize();
        if (!file.startsWith(images.normalize()) || !Files.isRegularFile(file)) {
            problem(name + ": no such image under " + images);
            return;
        }
        List<String> trackIds = result.getFaces().stream().map(Face::getTrackId).toList();
        writer.submit(file, name, result.getFaces().stream().map(Results::fromAvro).toList(),
                trackIds.stream().allMatch(Objects::isNull) ? null : trackIds);
    }

    /** A result that is not drawn, with why (one that could not be read): counted and listed with the rest. */
    void problem(String problem) {
        writer.problem(problem);
    }

    /** Waits for every queued picture; what was drawn and what not. */
    AnnotationWriter.Outcome finish() throws InterruptedException {
        return writer.finish();
    }

    @Override
    public void close() {
        writer.close();
    }
}
