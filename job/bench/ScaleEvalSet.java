import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Makes a resized copy of an evaluation set in the gt.jsonl layout: every image resized so its
 * long side is LONG_SIDE (bicubic), every ground-truth box scaled to match. Used by
 * accuracy.sh to evaluate at sizes nearer WIDER FACE's originals than the 416 px copies.
 *
 * java -cp job/target/facestream.jar job/bench/ScaleEvalSet.java SRC_DIR DEST_DIR LONG_SIDE
 * (SRC_DIR holds gt.jsonl and images/; DEST_DIR gets the same layout.)
 */
public class ScaleEvalSet {
    public static void main(String[] args) throws Exception {
        nu.pattern.OpenCV.loadLocally();
        Path src = Path.of(args[0]);
        Path dest = Path.of(args[1]);
        int longSide = Integer.parseInt(args[2]);
        List<String> lines = Files.readAllLines(src.resolve("gt.jsonl"));
        JsonArray columns = JsonParser.parseString(lines.get(0)).getAsJsonObject().getAsJsonArray("columns");
        List<String> out = new ArrayList<>();
        out.add(lines.get(0));
        Gson gson = new Gson();
        for (String line : lines.subList(1, lines.size())) {
            JsonObject image = JsonParser.parseString(line).getAsJsonObject();
            String name = image.get("image").getAsString();
            Mat pixels = Imgcodecs.imread(src.resolve("images").resolve(name).toString());
            double scale = (double) longSide / Math.max(pixels.cols(), pixels.rows());
            Mat resized = new Mat();
            Imgproc.resize(pixels, resized, new Size(Math.round(pixels.cols() * scale), Math.round(pixels.rows() * scale)),
                    0, 0, Imgproc.INTER_CUBIC);
            Path target = dest.resolve("images").resolve(name);
            Files.createDirectories(target.getParent());
            Imgcodecs.imwrite(target.toString(), resized);
            image.addProperty("width", resized.cols());
            image.addProperty("height", resized.rows());
            for (JsonElement face : image.getAsJsonArray("faces")) {
                JsonArray values = face.getAsJsonArray();
                for (int i = 0; i < 4; i++) {
                    values.set(i, gson.toJsonTree(values.get(i).getAsDouble() * scale));
                }
            }
            out.add(gson.toJson(image));
        }
        Files.write(dest.resolve("gt.jsonl"), out);
        System.out.printf("%d images resized to a long side of %d px in %s (%d columns per face)%n",
                out.size() - 1, longSide, dest, columns.size());
    }
}
