package io.facestream.detect;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The build's step that derives the int8 model from the float one ({@link Int8Quantizer}),
 * calibrated on the images of a folder, each prepared as the detector prepares it at the
 * default model's default size.
 * Usage: {@code BuildInt8Model FP32_MODEL OUTPUT IMAGE_DIR}.
 */
public final class BuildInt8Model {


    private BuildInt8Model() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("Usage: BuildInt8Model FP32_MODEL OUTPUT IMAGE_DIR");
            System.exit(2);
        }
        long started = System.nanoTime();
        Path fp32 = Path.of(args[0]);
        Path output = Path.of(args[1]);
        List<Int8Quantizer.Input> calibration = calibrationInputs(Path.of(args[2]),
                ModelDescriptor.preset(ModelDescriptor.DEFAULT_PRESET));
        ModelProto quantized = Int8Quantizer.quantize(ModelProto.parseFrom(Files.readAllBytes(fp32)), calibration,
                Int8Quantizer.Options.DEFAULT);
        Path temporary = output.resolveSibling(output.getFileName() + ".tmp");
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.write(temporary, quantized.toByteArray());
        Files.move(temporary, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf(Locale.ROOT, "Built %s from %s, calibrated on %d inputs, in %.1f s%n", output, fp32.getFileName(),
                calibration.size(), (System.nanoTime() - started) / 1e9);
    }

    /** Every JPEG and PNG of the folder, in name order, at each calibration size. */
    static List<Int8Quantizer.Input> calibrationInputs(Path folder, ModelDescriptor model) throws IOException {
        SizePolicy policy = SizePolicy.parse(model.defaultSize);
        List<Path> images;
        try (Stream<Path> files = Files.list(folder)) {
            images = files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
                    .sorted().toList();
        }
        if (images.isEmpty()) {
            throw new IOException("no calibration images (PNG or JPEG) in " + folder);
        }
        ImageDecoder decoder = new ImageDecoder(DetectorOptions.MAX_IMAGE_BYTES.defaultValue(), DetectorOptions.MAX_IMAGE_PIXELS.defaultValue());
        List<Int8Quantizer.Input> inputs = new ArrayList<>();
        try (TensorWriter writer = new TensorWriter(model)) {
            for (Path image : images) {
                try (DecodedImage decoded = decoder.decode(Files.readAllBytes(image), null, policy)) {
                    SizePolicy.InputPlan plan = policy.plans(decoded.width(), decoded.height()).get(0);
                    FloatBuffer tensor = writer.write(decoded, plan);
                    FloatBuffer copy = FloatBuffer.allocate(tensor.remaining()).put(tensor).flip();
                    inputs.add(new Int8Quantizer.Input(copy, new long[] {1, 3, plan.tensorHeight(), plan.tensorWidth()}));
                } catch (ImageRejectedException e) {
                    throw new IOException("calibration image " + image + ": " + e.getMessage(), e);
                }
            }
        }
        return inputs;
    }
}
