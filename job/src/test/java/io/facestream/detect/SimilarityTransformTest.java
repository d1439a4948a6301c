package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/** Umeyama's least-squares similarity: exact on exact data, optimal on noisy data, never a mirror. */
@Timeout(60)
class SimilarityTransformTest {

    static {
        Natives.loadOpenCv();
    }

    /** insightface's arcface_dst, typed in again so that no test reads it from the code under test. */
    private static final double[] ARCFACE = {
        38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041};

    @Test
    void recoversAKnownSimilarityFromTheTemplateItMadeAndItsInverse() {
        double[][] cases = {
            // degrees, scale, shift x, shift y
            {0, 1, 0, 0}, {17, 2.5, 310, -42}, {-33, 0.4, 12.5, 800}, {170, 7, -1000, 3}, {-120, 0.05, 0.25, 0.75},
            {90, 1, 640, 480}, {-179.9, 20, 5, 5}};
        for (double[] c : cases) {
            double theta = Math.toRadians(c[0]);
            SimilarityTransform known = new SimilarityTransform(c[1] * Math.cos(theta), c[1] * Math.sin(theta), c[2], c[3]);
            double[] moved = new double[ARCFACE.length];
            for (int p = 0; p < 5; p++) {
                double x = ARCFACE[2 * p];
                double y = ARCFACE[2 * p + 1];
                moved[2 * p] = c[1] * (Math.cos(theta) * x - Math.sin(theta) * y) + c[2];
                moved[2 * p + 1] = c[1] * (Math.sin(theta) * x + Math.cos(theta) * y) + c[3];
            }
            SimilarityTransform forward = SimilarityTransform.fit(ARCFACE, moved);
            assertThat(forward.a()).as("a of %s", known).isCloseTo(known.a(), within(1e-6));
            assertThat(forward.b()).as("b of %s", known).isCloseTo(known.b(), within(1e-6));
            assertThat(forward.tx()).as("tx of %s", known).isCloseTo(known.tx(), within(1e-6));
            assertThat(forward.ty()).as("ty of %s", known).isCloseTo(known.ty(), within(1e-6));

            // Aligning back: the inverse is a rotation by -theta, scale 1/s, shift -(1/s) R(-theta) t.
            SimilarityTransform back = SimilarityTransform.fit(moved, ARCFACE);
            assertThat(back.scale()).as("scale back from %s", known).isCloseTo(1 / c[1], within(1e-6));
            assertThat(back.rotationRadians()).as("angle back from %s", known).isCloseTo(-theta, within(1e-6));
            double inverseTx = -(Math.cos(theta) * c[2] + Math.sin(theta) * c[3]) / c[1];
            double inverseTy = -(-Math.sin(theta) * c[2] + Math.cos(theta) * c[3]) / c[1];
            assertThat(back.tx()).as("tx back from %s", known).isCloseTo(inverseTx, within(1e-6));
            assertThat(back.ty()).as("ty back from %s", known).isCloseTo(inverseTy, within(1e-6));
            for (int p = 0; p < 5; p++) {
                double x = moved[2 * p];
                double y = moved[2 * p + 1];
                assertThat(back.mapX(x, y)).isCloseTo(ARCFACE[2 * p], within(1e-6));
                assertThat(back.mapY(x, y)).isCloseTo(ARCFACE[2 * p + 1], within(1e-6));
            }
        }
    }

    /**
     * The sum of squares is a convex quadratic in (a, b, tx, ty), so the fit is the least-squares one
     * over all similarities exactly when no small step in any parameter lowers it.
     */
    @Test
    void noNearbySimilarityFitsNoisyPointsBetter() throws Exception {
        for (double[] landmarks : pointSets()) {
            SimilarityTransform fit = SimilarityTransform.fit(landmarks, ARCFACE);
            double best = sumOfSquares(fit, landmarks);
            for (double step : new double[] {1e-3, -1e-3}) {
                double scaled = step * fit.scale();
                assertThat(sumOfSquares(new SimilarityTransform(fit.a() + scaled, fit.b(), fit.tx(), fit.ty()), landmarks)).isGreaterThan(best);
                assertThat(sumOfSquares(new SimilarityTransform(fit.a(), fit.b() + scaled, fit.tx(), fit.ty()), landmarks)).isGreaterThan(best);
                assertThat(sumOfSquares(new SimilarityTransform(fit.a(), fit.b(), fit.tx() + step, fit.ty()), landmarks)).isGreaterThan(best);
                assertThat(sumOfSquares(new SimilarityTransform(fit.a(), fit.b(), fit.tx(), fit.ty() + step), landmarks)).isGreaterThan(best);
            }
        }
    }

    /** The 2-D closed form gives what Umeyama's general SVD form (his eq. 40-42) gives, mirrors included. */
    @Test
    void agreesWithUmeyamasSvdFormulation() throws Exception {
        for (double[] landmarks : pointSets()) {
            SimilarityTransform fit = SimilarityTransform.fit(landmarks, ARCFACE);
            double[] reference = umeyamaBySvd(landmarks, ARCFACE);
            double[] matrix = fit.toMatrix();
            for (int i = 0; i < 6; i++) {
                assertThat(matrix[i]).as("matrix entry %d", i).isCloseTo(reference[i], within(1e-9 * Math.max(1, Math.abs(reference[i]))));
            }
        }
    }

    /**
     * Landmarks of a mirror image in unchanged order (what a detector would never give, but a
     * reflection fits them perfectly): the fit stays a rotation, keeping the points' orientation.
     */
    @Test
    void aMirroredPointSetNeverGetsAMirroringTransform() {
        double[] mirrored = new double[ARCFACE.length];
        for (int p = 0; p < 5; p++) {
            mirrored[2 * p] = 300 - 2 * ARCFACE[2 * p];
            mirrored[2 * p + 1] = 40 + 2 * ARCFACE[2 * p + 1];
        }
        SimilarityTransform fit = SimilarityTransform.fit(mirrored, ARCFACE);
        double[] m = fit.toMatrix();
        assertThat(m[0] * m[4] - m[1] * m[3]).isPositive();
        assertThat(m[0]).isEqualTo(m[4]);
        assertThat(m[1]).isEqualTo(-m[3]);
        // Orientation of (eye, eye, nose) and of (eye, mouth corner, mouth corner): kept.
        for (int[] triangle : new int[][] {{0, 1, 2}, {0, 3, 4}, {1, 2, 4}}) {
            double before = signedArea(mirrored, triangle, null);
            double after = signedArea(mirrored, triangle, fit);
            assertThat(Math.signum(after)).as("triangle %s", List.of(triangle[0], triangle[1], triangle[2]))
                    .isEqualTo(Math.signum(before));
        }
        // The reflection x -> (300 - x) / 2, y -> (y - 40) / 2 would map them exactly; the best rotation cannot.
        assertThat(sumOfSquares(fit, mirrored)).isGreaterThan(100);
    }

    @Test
    void rejectsPointsItCannotFit() {
        double[] same = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
        assertThatThrownBy(() -> SimilarityTransform.fit(same, ARCFACE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("coincide");
        double[] notANumber = ARCFACE.clone();
        notANumber[3] = Double.NaN;
        assertThatThrownBy(() -> SimilarityTransform.fit(notANumber, ARCFACE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> SimilarityTransform.fit(new double[] {1, 2, 3, 4}, ARCFACE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Every golden face's landmarks, their mirror images, and the template with seeded noise. */
    private static List<double[]> pointSets() throws Exception {
        List<double[]> sets = new ArrayList<>();
        for (GoldenDetections.Image image : GoldenDetections.load().values()) {
            for (DetectedFace face : image.faces()) {
                double[] landmarks = new double[10];
                double[] mirrored = new double[10];
                for (int i = 0; i < 10; i++) {
                    landmarks[i] = face.landmarks()[i];
                    mirrored[i] = i % 2 == 0 ? image.width() - 1 - landmarks[i] : landmarks[i];
                }
                sets.add(landmarks);
                sets.add(mirrored);
            }
        }
        Random random = new Random(16);
        for (int k = 0; k < 20; k++) {
            double[] noisy = new double[10];
            double theta = random.nextDouble() * 2 * Math.PI;
            double scale = 0.2 + 5 * random.nextDouble();
            for (int p = 0; p < 5; p++) {
                double x = ARCFACE[2 * p] + 8 * random.nextGaussian();
                double y = ARCFACE[2 * p + 1] + 8 * random.nextGaussian();
                noisy[2 * p] = scale * (Math.cos(theta) * x - Math.sin(theta) * y) + 1000 * random.nextDouble();
                noisy[2 * p + 1] = scale * (Math.sin(theta) * x + Math.cos(theta) * y) + 1000 * random.nextDouble();
            }
            sets.add(noisy);
        }
        return sets;
    }

    private static double sumOfSquares(SimilarityTransform t, double[] from) {
        double sum = 0;
        for (int p = 0; p < 5; p++) {
            double dx = t.mapX(from[2 * p], from[2 * p + 1]) - ARCFACE[2 * p];
            double dy = t.mapY(from[2 * p], from[2 * p + 1]) - ARCFACE[2 * p + 1];
            sum += dx * dx + dy * dy;
        }
        return sum;
    }

    private static double signedArea(double[] points, int[] triangle, SimilarityTransform mapped) {
        double[] x = new double[3];
        double[] y = new double[3];
        for (int k = 0; k < 3; k++) {
            double px = points[2 * triangle[k]];
            double py = points[2 * triangle[k] + 1];
            x[k] = mapped == null ? px : mapped.mapX(px, py);
            y[k] = mapped == null ? py : mapped.mapY(px, py);
        }
        return (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]);
    }

    /**
     * Umeyama 1991 as printed: Σ = (1/n) Σ (y - μy)(x - μx)ᵀ = U D Vᵀ, S = diag(1, -1) when
     * det Σ < 0, R = U S Vᵀ, c = tr(D S) / σx², t = μy - c R μx; the SVD by OpenCV. Row-major 2x3.
     */
    private static double[] umeyamaBySvd(double[] from, double[] to) {
        int n = from.length / 2;
        double[] muX = new double[2];
        double[] muY = new double[2];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < 2; d++) {
                muX[d] += from[2 * i + d] / n;
                muY[d] += to[2 * i + d] / n;
            }
        }
        double variance = 0;
        double[][] sigma = new double[2][2];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < 2; r++) {
                variance += Math.pow(from[2 * i + r] - muX[r], 2) / n;
                for (int c = 0; c < 2; c++) {
                    sigma[r][c] += (to[2 * i + r] - muY[r]) * (from[2 * i + c] - muX[c]) / n;
                }
            }
        }
        Mat s = new Mat(2, 2, CvType.CV_64F);
        s.put(0, 0, sigma[0][0], sigma[0][1], sigma[1][0], sigma[1][1]);
        Mat w = new Mat();
        Mat u = new Mat();
        Mat vt = new Mat();
        Core.SVDecomp(s, w, u, vt);
        double det = sigma[0][0] * sigma[1][1] - sigma[0][1] * sigma[1][0];
        double[] sign = {1, det < 0 ? -1 : 1};
        double[][] rotation = new double[2][2];
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
                for (int k = 0; k < 2; k++) {
                    rotation[r][c] += u.get(r, k)[0] * sign[k] * vt.get(k, c)[0];
                }
            }
        }
        double scale = (w.get(0, 0)[0] * sign[0] + w.get(1, 0)[0] * sign[1]) / variance;
        double tx = muY[0] - scale * (rotation[0][0] * muX[0] + rotation[0][1] * muX[1]);
        double ty = muY[1] - scale * (rotation[1][0] * muX[0] + rotation[1][1] * muX[1]);
        return new double[] {scale * rotation[0][0], scale * rotation[0][1], tx, scale * rotation[1][0], scale * rotation[1][1], ty};
    }
}
