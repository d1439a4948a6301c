package io.facestream.output;

import io.facestream.detect.DetectedFace;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes detections in the WIDER FACE submission layout: {@code OUT/<event>/<name>.txt} holding
 * the image name, the face count, then one {@code x y w h score} line per face.
 */
public final class WiderFaceWriter {

    private final Path outputDir;

    public WiderFaceWriter(Path outputDir) {
        this.outputDir = outputDir;
    }

    /** @param relativeImage the image's path relative to the input folder, e.g. {@code 0--Parade/0_Parade_1.jpg} */
    public Path write(Path relativeImage, List<DetectedFace> faces) throws IOException {
        String fileName = relativeImage.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String name = dot > 0 ? fileName.substring(0, dot) : fileName;
        Path parent = relativeImage.getParent();
        Path dir = parent == null ? outputDir : outputDir.resolve(parent.toString());
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".txt");
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write(name + "\n");
            out.write(faces.size() + "\n");
            for (DetectedFace face : faces) {
                out.write(String.format(Locale.ROOT, "%.2f %.2f %.2f %.2f %.5f%n", face.x1(), face.y1(),
                        face.x2() - face.x1() + 1, face.y2() - face.y1() + 1, face.score()));
            }
        }
        return file;
    }
}
