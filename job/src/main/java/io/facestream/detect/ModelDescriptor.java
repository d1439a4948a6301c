package io.facestream.detect;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What FaceStream needs to know about a RetinaFace export besides its weights: the output
 * layout, the input it expects, how to decode it and the post-processing of its reference
 * pipeline. Built-in presets live in {@code facestream/models/presets/NAME.json}; a user's own
 * file has the same fields ({@code --model-config FILE}).
 */
public final class ModelDescriptor implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_PRESET = "insightface-mnet025-v2";
    public static final List<String> PRESETS = List.of("insightface-mnet025-v2", "insightface-mnet025-v1",
            "biubug6-resnet50", "biubug6-mnet025", "biubug6-1mb-mnet025");

    /** How the network's outputs encode faces. */
    public enum Layout {
        /** insightface: per stride score, box and landmark maps named face_rpn_*_stride{32,16,8}. */
        INSIGHTFACE,
        /** biubug6/Pytorch_Retinaface: loc N x P x 4, conf N x P x 2, landms N x P x 10 over prior boxes. */
        BIUBUG6
    }

    public enum ChannelOrder { RGB, BGR }

    /** insightface anchors of one stride. */
    public static final class Anchors implements Serializable {
        private static final long serialVersionUID = 1L;
        public int stride;
        public float[] sizes;
    }

    /** biubug6 prior boxes. */
    public static final class Priors implements Serializable {
        private static final long serialVersionUID = 1L;
        public float[][] minSizes;
        public int[] steps;
        public float[] variances;
    }

    public String name;
    public String description;
    public Layout layout;
    public ChannelOrder channelOrder;
    /** Subtracted per channel, in the model's channel order, before dividing by {@link #std}. */
    public float[] mean = {0, 0, 0};
    public float[] std = {1, 1, 1};
    /** The size policy used when none is given (see {@link SizePolicy}). */
    public String defaultSize;
    public List<Anchors> anchors;
    public float landmarkScale = 1f;
    public Priors priors;
    /** Clip boxes to the input tensor before NMS, as the insightface reference does. */
    public boolean clipBoxes;
    public float scoreThreshold;
    public float nmsThreshold;
    /** Candidates kept before NMS, highest score first; 0 = all. */
    public int preNmsTopK;
    /** Faces kept after NMS; 0 = all. */
    public int postNmsTopK;

    public static ModelDescriptor preset(String name) {
        String resource = "/facestream/models/presets/" + name + ".json";
        try (InputStream in = ModelDescriptor.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(name + ": unknown; choose one of " + PRESETS
                        + " or describe the export in a model description file");
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    public static ModelDescriptor fromFile(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return parse(reader, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    private static ModelDescriptor parse(Reader reader, String origin) {
        ModelDescriptor descriptor;
        try {
            descriptor = new Gson().fromJson(reader, ModelDescriptor.class);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(origin + ": not a valid model description (" + e.getMessage() + ")");
        }
        if (descriptor == null) {
            throw new IllegalArgumentException(origin + ": empty model description");
        }
        List<String> problems = descriptor.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(origin + ": invalid model description:\n  " + String.join("\n  ", problems));
        }
        return descriptor;
    }

    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name is missing");
        }
        if (layout == null) {
            problems.add("layout must be INSIGHTFACE or BIUBUG6");
        }
        if (channelOrder == null) {
            problems.add("channelOrder must be RGB or BGR");
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            problems.add("mean and std need three values each");
        } else {
            for (float s : std) {
                if (s == 0) {
                    problems.add("std must not contain 0");
                }
            }
        }
        if (layout == Layout.INSIGHTFACE && (anchors == null || anchors.isEmpty())) {
            problems.add("an INSIGHTFACE model needs anchors: [{stride, sizes}]");
        }
        if (layout == Layout.BIUBUG6 && (priors == null || priors.minSizes == null || priors.steps == null
                || priors.variances == null || priors.minSizes.length != priors.steps.length || priors.variances.length != 2)) {
            problems.add("a BIUBUG6 model needs priors: {minSizes: [[..] per step], steps: [..], variances: [v0, v1]}");
        }
        if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
            problems.add("scoreThreshold must be between 0 and 1");
        }
        if (!(nmsThreshold > 0 && nmsThreshold <= 1)) {
            problems.add("nmsThreshold must be in (0, 1]");
        }
        if (preNmsTopK < 0 || postNmsTopK < 0) {
            problems.add("preNmsTopK and postNmsTopK must not be negative");
        }
        if (defaultSize != null) {
            try {
                SizePolicy.parse(defaultSize);
            } catch (IllegalArgumentException e) {
                problems.add("defaultSize: " + e.getMessage());
            }
        }
        return problems;
    }

    /** The decoder of this model's outputs. */
    HeadDecoder decoder() {
        return layout == Layout.INSIGHTFACE ? AnchorDecoder.of(this) : new PriorBoxDecoder(priors);
    }
}
