package io.facestream.detect;

/**
 * A 2-D similarity without reflection, {@code (x, y) -> (a x - b y + tx, b x + a y + ty)}: a
 * rotation by {@code atan2(b, a)}, a uniform scale {@code hypot(a, b)}, then a shift.
 *
 * <p>{@link #fit} is the least-squares estimate of S. Umeyama, "Least-squares estimation of
 * transformation parameters between two point patterns", IEEE TPAMI 13(4):376-380, 1991 (the one
 * scikit-image's {@code SimilarityTransform.estimate} and so insightface's face alignment use),
 * written out for two dimensions. There, with {@code Σ} the cross-covariance of the centred
 * points, Umeyama's rotation {@code U S Vᵀ} is the rotation by {@code atan2(Σyx - Σxy, Σxx + Σyy)}
 * and his {@code tr(D S)} is {@code hypot(Σxx + Σyy, Σyx - Σxy)}, whether {@code det Σ} is
 * positive or not (a 2x2 matrix's singular values are {@code Q + R} and {@code |Q - R|}, with
 * {@code 2Q} that hypot and {@code Q² - R²} its determinant). So no SVD is needed, and the result
 * is a rotation by construction: point sets whose best fit would be a mirror image get the best
 * rotation instead, as Umeyama's {@code S = diag(1, -1)} gives them. (OpenCV's
 * {@code estimateAffinePartial2D} fits the same family, but by RANSAC or LMedS over point
 * subsets, not least squares over all points.)
 */
public record SimilarityTransform(double a, double b, double tx, double ty) {

    /**
     * The similarity minimising the sum of squared distances between the mapped {@code from}
     * points and the {@code to} points, both given as x0, y0, x1, y1, ...
     *
     * @throws IllegalArgumentException for arrays of different or odd lengths, fewer than two
     *     points, a coordinate that is not finite, or {@code from} points that all coincide
     */
    public static SimilarityTransform fit(double[] from, double[] to) {
        if (from.length != to.length || from.length % 2 != 0 || from.length < 4) {
            throw new IllegalArgumentException("need two equal lists of at least two points (x, y pairs), got "
                    + from.length + " and " + to.length + " coordinates");
        }
        int n = from.length / 2;
        double fromX = 0;
        double fromY = 0;
        double toX = 0;
        double toY = 0;
        for (int i = 0; i < n; i++) {
            fromX += from[2 * i];
            fromY += from[2 * i + 1];
            toX += to[2 * i];
            toY += to[2 * i + 1];
        }
        fromX /= n;
        fromY /= n;
        toX /= n;
        toY /= n;
        double fromVariance = 0;
        double sxx = 0;
        double sxy = 0;
        double syx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double px = from[2 * i] - fromX;
            double py = from[2 * i + 1] - fromY;
            double qx = to[2 * i] - toX;
            double qy = to[2 * i + 1] - toY;
            fromVariance += px * px + py * py;
            sxx += qx * px;
            sxy += qx * py;
            syx += qy * px;
            syy += qy * py;
        }
        if (!Double.isFinite(fromVariance + sxx + sxy + syx + syy + toX + toY)) {
            throw new IllegalArgumentException("the points have a coordinate that is not a finite number");
        }
        if (fromVariance == 0) {
            throw new IllegalArgumentException("the points to map all coincide, so no rotation or scale fits them");
        }
        // c R = (Σxx + Σyy, Σyx - Σxy) / σ², the 1/n of Σ and σ² cancelling.
        double a = (sxx + syy) / fromVariance;
        double b = (syx - sxy) / fromVariance;
        return new SimilarityTransform(a, b, toX - (a * fromX - b * fromY), toY - (b * fromX + a * fromY));
    }

    public double scale() {
        return Math.hypot(a, b);
    }

    /** Counter-clockwise in a y-up frame, clockwise as seen in an image (y down). */
    public double rotationRadians() {
        return Math.atan2(b, a);
    }

    public double mapX(double x, double y) {
        return a * x - b * y + tx;
    }

    public double mapY(double x, double y) {
        return b * x + a * y + ty;
    }

    /** The same map applied to points given in units {@code factor} times larger: x -> this(factor x). */
    public SimilarityTransform afterScaling(double factor) {
        return new SimilarityTransform(a * factor, b * factor, tx, ty);
    }

    /** Row-major 2x3 matrix, as OpenCV's warpAffine takes it: {a, -b, tx, b, a, ty}. */
    public double[] toMatrix() {
        return new double[] {a, -b, tx, b, a, ty};
    }
}
