package io.facestream.eval;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** Test helpers: the shared WIDER FACE subset, and prediction folders in the submission layout. */
public final class EvalTestFiles {

    private EvalTestFiles() {}

    /**
     * {@code <shared>/eval/widerface416}, the 40 WIDER FACE validation images and their ground truth.
     * Research-only data that lives beside the repository, never in it: the calling test is skipped
     * where it is absent.
     */
    public static Path widerFace416() {
        Path shared = Path.of(System.getProperty("facestream.shared", "../../shared")).toAbsolutePath().normalize();
        Path dir = shared.resolve("eval/widerface416");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("gt.jsonl")),
                "Skipped: the WIDER FACE evaluation subset is not at " + dir
                        + " (it is research-only data kept beside the repository, in ../shared/eval, never in it)");
        return dir;
    }

    /** Writes {@code dir/<event>/<name>.txt} per image: name, count, {@code x y w h score} lines. */
    public static Path writePredictions(Path dir, Map<String, List<double[]>> detections) throws IOException {
        for (Map.Entry<String, List<double[]>> image : detections.entrySet()) {
            String key = WiderNames.key(image.getKey());
            Path file = dir.resolve(key + ".txt");
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file)) {
                out.write(key.substring(key.lastIndexOf('/') + 1) + "\n" + image.getValue().size() + "\n");
                for (double[] d : image.getValue()) {
                    out.write(d[0] + " " + d[1] + " " + d[2] + " " + d[3] + " " + d[4] + "\n");
                }
            }
        }
        return dir;
    }
}
