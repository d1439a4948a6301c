package io.facestream.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How an image becomes the model's input tensor:
 * <ul>
 *   <li>{@code letterbox:N}: scaled by min(N/w, N/h) into an N x N tensor, top-left, zero padding;</li>
 *   <li>{@code native}: original size, zero-padded right and bottom to a multiple of 32;</li>
 *   <li>{@code seed}: original size unless the long side exceeds 1500 px, then scaled to a long
 *       side of 1000 (the seed pipeline's rule), no padding;</li>
 *   <li>{@code fit:L}: scaled to a long side of L, zero-padded to a multiple of 32;</li>
 *   <li>{@code multi[:L1,L2,...]}: one {@code fit} pass per long side (default {@value #DEFAULT_MULTI}),
 *       the detections merged by box voting: slower, more accurate, above all on small faces.</li>
 * </ul>
 * Zero padding means black pixels, before the model's mean and std are applied.
 */
public final class SizePolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_MULTI = "416,832,1280";
    private static final int SEED_MAX_SIDE = 1500;
    private static final int SEED_SCALED_SIDE = 1000;

    /** One pass of the model: the image scaled by {@code scale} to resized size, inside a tensor of tensor size. */
    public record InputPlan(float scale, int resizedWidth, int resizedHeight, int tensorWidth, int tensorHeight) {}

    private enum Kind { LETTERBOX, NATIVE, SEED, FIT, MULTI }

    private final Kind kind;
    private final int[] sides;
    private final String text;

    private SizePolicy(Kind kind, int[] sides, String text) {
        this.kind = kind;
        this.sides = sides;
        this.text = text;
    }

    public static SizePolicy parse(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        String[] parts = text.split(":", 2);
        try {
            switch (parts[0]) {
                case "letterbox":
                    return new SizePolicy(Kind.LETTERBOX, sides(parts.length == 2 ? parts[1] : "640", 1), text);
                case "fit":
                    return new SizePolicy(Kind.FIT, sides(parts[1], 1), text);
                case "multi":
                    return new SizePolicy(Kind.MULTI, sides(parts.length == 2 ? parts[1] : DEFAULT_MULTI, 0), text);
                case "native":
                case "seed":
                    if (parts.length == 1) {
                        return new SizePolicy(Kind.valueOf(parts[0].toUpperCase(Locale.ROOT)), new int[0], text);
                    }
                    break;
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException(value
                + ": choose letterbox:N, native, seed, fit:L or multi[:L1,L2,...] (N and L positive multiples of 32)");
    }

    private static int[] sides(String list, int exactly) {
        String[] items = list.split(",");
        if (exactly > 0 && items.length != exactly) {
            throw new IllegalArgumentException();
        }
        int[] sides = new int[items.length];
        for (int i = 0; i < items.length; i++) {
            sides[i] = Integer.parseInt(items[i].trim());
            if (sides[i] < 32 || sides[i] % 32 != 0) {
                throw new IllegalArgumentException();
            }
        }
        return sides;
    }

    /** Whether every input has the one square size {@code side} (so a fixed-size export needs no change). */
    public boolean alwaysSquare(int side) {
        return kind == Kind.LETTERBOX && sides[0] == side;
    }

    /** The model passes for an image of the given size. */
    public List<InputPlan> plans(int width, int height) {
        List<InputPlan> plans = new ArrayList<>();
        switch (kind) {
            case LETTERBOX -> {
                int n = sides[0];
                float scale = Math.min((float) n / width, (float) n / height);
                plans.add(new InputPlan(scale, clampRound(width * scale, n), clampRound(height * scale, n), n, n));
            }
            case NATIVE -> plans.add(new InputPlan(1f, width, height, ceil32(width), ceil32(height)));
            case SEED -> {
                int longSide = Math.max(width, height);
                float scale = longSide > SEED_MAX_SIDE ? (float) SEED_SCALED_SIDE / longSide : 1f;
                int w = Math.max(1, Math.round(width * scale));
                int h = Math.max(1, Math.round(height * scale));
                plans.add(new InputPlan(scale, w, h, w, h));
            }
            case FIT, MULTI -> {
                for (int side : sides) {
                    plans.add(fit(width, height, side));
                }
            }
        }
        return plans;
    }

    /** The largest scale any pass applies to an image of this size (below 1: the image is shrunk). */
    public float maxScale(int width, int height) {
        float max = 0;
        for (InputPlan plan : plans(width, height)) {
            max = Math.max(max, plan.scale());
        }
        return max;
    }

    private static InputPlan fit(int width, int height, int longSide) {
        float scale = (float) longSide / Math.max(width, height);
        int w = clampRound(width * scale, longSide);
        int h = clampRound(height * scale, longSide);
        return new InputPlan(scale, w, h, ceil32(w), ceil32(h));
    }

    private static int clampRound(float value, int max) {
        return Math.min(max, Math.max(1, Math.round(value)));
    }

    private static int ceil32(int value) {
        return (value + 31) / 32 * 32;
    }

    @Override
    public String toString() {
        return text;
    }
}
