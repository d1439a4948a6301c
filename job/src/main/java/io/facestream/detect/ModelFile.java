package io.facestream.detect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The bytes of an ONNX model with its name and sha256: the default one from the jar, or a file. */
public record ModelFile(String name, String sha256, byte[] bytes) {

    /** Where the build puts the default model (fetched from npm, checksum-checked). */
    public static final String DEFAULT_RESOURCE = "/facestream/models/mnet.25_v2.onnx";
    public static final String DEFAULT_SHA256 = "cd1acf4887eff165497762346fcafbdec58f662a2ceb01e5edb979f54b9875b6";
    /**
     * Where the build puts the int8 copy of the default model ({@link BuildInt8Model}). It has no
     * pinned checksum: it is derived, not downloaded, and its bytes depend on the ONNX Runtime build
     * that calibrated it.
     */
    public static final String DEFAULT_INT8_RESOURCE = "/facestream/models/mnet.25_v2.int8.onnx";

    /** The model file, or the default model in the given precision. */
    public static ModelFile load(Path pathOrNull, DetectorSettings.Precision precision) throws IOException {
        if (pathOrNull == null && precision == DetectorSettings.Precision.INT8) {
            return loadDefaultInt8();
        }
        return load(pathOrNull);
    }

    public static ModelFile load(Path pathOrNull) throws IOException {
        return pathOrNull == null ? loadDefault() : fromBytes(pathOrNull.getFileName().toString(), Files.readAllBytes(pathOrNull));
    }

    public static ModelFile loadDefault() throws IOException {
        ModelFile model = fromResource("default model", DEFAULT_RESOURCE, "Build with 'mvn package' (it fetches the model with npm), "
                + "or load a RetinaFace .onnx file of your own.");
        if (!model.sha256().equals(DEFAULT_SHA256)) {
            throw new IOException("The default model in the jar has sha256 " + model.sha256() + ", expected "
                    + DEFAULT_SHA256 + ". The jar is damaged: rebuild it with 'mvn package'.");
        }
        return model;
    }

    public static ModelFile loadDefaultInt8() throws IOException {
        return fromResource("int8 model", DEFAULT_INT8_RESOURCE,
                "The build derives it from the default model in the process-classes phase ('mvn package' makes it).");
    }

    /** A model bundled in the jar, named by its file name; {@code missingHint} says how to get it there. */
    private static ModelFile fromResource(String label, String resource, String missingHint) throws IOException {
        try (InputStream in = ModelFile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("The " + label + " " + resource + " is not on the classpath. " + missingHint);
            }
            return fromBytes(resource.substring(resource.lastIndexOf('/') + 1), in.readAllBytes());
        }
    }

    private static ModelFile fromBytes(String name, byte[] bytes) {
        try {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            return new ModelFile(name, sha, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
