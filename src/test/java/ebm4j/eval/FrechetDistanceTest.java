package ebm4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.junit.jupiter.api.Test;

/**
 * The Fréchet distance against closed forms. With exact moments the only error is double round-off
 * in two eigendecompositions of matrices of order 20 or less, so the closed forms hold to 1e-9
 * relative, except near singular covariances: an eigenvalue of M = S1^(1/2) S2 S1^(1/2) that is 0
 * comes out as +-delta with delta ~ 1e-16 |M|, and its square root, ~1e-8 sqrt|M|, enters the trace
 * term (the square root's infinite slope at 0, whatever the method); tests with a zero eigenvalue
 * allow that much per zero. With fitted moments the tolerances are statistical and stated where used.
 */
class FrechetDistanceTest {
    private static final double EXACT = 1e-9;

    /** Rows (1,2), (3,6), (5,7): mean (3,5), centred (-2,-3), (0,1), (2,2), covariance sums / (3-1). */
    @Test
    void aFitHasTheMeanAndTheCovarianceWithTheNMinusOneDenominator() {
        GaussianFit fit = GaussianFit.of(new float[] {1, 2, 3, 6, 5, 7, 99, 99}, 3, 2);
        assertArrayEquals(new double[] {3, 5}, fit.mean(), 1e-15);
        assertArrayEquals(new double[] {4, 5, 5, 7}, fit.covariance().data, 1e-15);
        assertThrows(IllegalArgumentException.class, () -> GaussianFit.of(new float[] {1, 2}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> GaussianFit.of(new float[] {1, 2, 3}, 2, 2));
    }

    @Test
    void aSetIsAtDistanceZeroFromItself() {
        GaussianFit a = GaussianFit.of(correlated(400, 16, 1, 0), 400, 16);
        double trace = CommonOps_DDRM.trace(a.covariance());
        assertEquals(0, FrechetDistance.between(a, a), EXACT * trace);
    }

    /** Diagonal covariances A, B: FD = |mu1 - mu2|^2 + sum (sqrt a_i - sqrt b_i)^2. */
    @Test
    void diagonalGaussiansMatchTheClosedForm() {
        double[] a = {0.5, 1, 2, 4, 0.01}, b = {1, 1, 0.3, 9, 2};
        double[] mu1 = {0, 1, -1, 2, 0.5}, mu2 = {1, 1, 0, -2, 0.5};
        double expected = closedFormForCommuting(mu1, mu2, a, b);
        double fd = FrechetDistance.between(new GaussianFit(mu1, diag(a)), new GaussianFit(mu2, diag(b)));
        assertEquals(expected, fd, EXACT * expected);
    }

    /**
     * Covariances Q A Q^T and Q B Q^T share eigenvectors and commute: the same closed form holds, off
     * the axes; B has a zero eigenvalue, worth 2 sqrt(1e-15 |A| |B|) (|A| = 4, |B| = 9) of round-off.
     */
    @Test
    void commutingRotatedGaussiansMatchTheClosedForm() {
        double[] a = {0.5, 1, 2, 4, 0.01, 3}, b = {1, 1, 0.3, 9, 2, 0};
        double[] mu1 = {0, 1, -1, 2, 0.5, 0}, mu2 = {1, 1, 0, -2, 0.5, 3};
        DMatrixRMaj q = randomOrthogonal(6, 3);
        double expected = closedFormForCommuting(mu1, mu2, a, b);
        double fd = FrechetDistance.between(new GaussianFit(mu1, rotate(q, a)), new GaussianFit(mu2, rotate(q, b)));
        assertEquals(expected, fd, EXACT * expected + 2 * Math.sqrt(1e-15 * 4 * 9));
    }

    /**
     * Order 2, not commuting: the eigenvalues l1, l2 of S1 S2 give (sqrt l1 + sqrt l2)^2 = tr(S1 S2) +
     * 2 sqrt(det S1 det S2), so Tr (S1 S2)^(1/2) has a closed form independent of the implementation's route.
     */
    @Test
    void nonCommutingTwoByTwoGaussiansMatchTheClosedForm() {
        DMatrixRMaj s1 = new DMatrixRMaj(2, 2, true, 2, 0.5, 0.5, 1);
        DMatrixRMaj s2 = new DMatrixRMaj(2, 2, true, 1, -0.3, -0.3, 3);
        DMatrixRMaj product = new DMatrixRMaj(2, 2);
        CommonOps_DDRM.mult(s1, s2, product);
        double traceSqrt = Math.sqrt(CommonOps_DDRM.trace(product)
                + 2 * Math.sqrt(CommonOps_DDRM.det(s1) * CommonOps_DDRM.det(s2)));
        double[] mu1 = {0.2, -1}, mu2 = {1, 1};
        double expected = 0.8 * 0.8 + 2 * 2 + 3 + 4 - 2 * traceSqrt;
        double fd = FrechetDistance.between(new GaussianFit(mu1, s1), new GaussianFit(mu2, s2));
        assertEquals(expected, fd, EXACT * expected);
    }

    @Test
    void theDistanceIsSymmetric() {
        GaussianFit a = GaussianFit.of(correlated(300, 12, 1, 0), 300, 12);
        GaussianFit b = GaussianFit.of(correlated(300, 12, 2, 0.3f), 300, 12);
        double ab = FrechetDistance.between(a, b), ba = FrechetDistance.between(b, a);
        assertTrue(ab > 0.1, "different sets are apart: " + ab);
        assertEquals(ab, ba, EXACT * ab);
    }

    /** Shifting every vector by c moves the mean only: FD = |c|^2, growing with the shift. */
    @Test
    void aShiftedSetIsAtTheSquaredShiftAndFartherTheMoreItMoves() {
        float[] x = correlated(300, 12, 1, 0);
        GaussianFit a = GaussianFit.of(x, 300, 12);
        double previous = 0;
        for (float step : new float[] {0.1f, 0.5f, 2f}) {
            float[] shifted = x.clone();
            double squared = 0;
            for (int j = 0; j < 12; j++) {
                float c = step * (j % 3 - 1 + 0.5f);
                squared += (double) c * c;
                for (int r = 0; r < 300; r++) {
                    shifted[r * 12 + j] += c;
                }
            }
            double fd = FrechetDistance.between(a, GaussianFit.of(shifted, 300, 12));
            // the shift is applied in float: the mean moves by c up to float rounding of values of order 4
            assertEquals(squared, fd, 1e-5 * squared + 1e-9, "shift " + step);
            assertTrue(fd > previous, "a larger shift gives a larger distance");
            previous = fd;
        }
    }

    /**
     * Fewer vectors than dimensions give a singular covariance, whose zero eigenvalues round to tiny
     * negative numbers: they are clamped, so the distance stays finite and exact where it is known,
     * to the square-root round-off of its 16 zero eigenvalues: 2 sqrt(d eps) |S| each, |S| <= trace.
     */
    @Test
    void singularCovariancesGiveFiniteDistances() {
        float[] x = correlated(5, 20, 6, 0);
        GaussianFit a = GaussianFit.of(x, 5, 20);
        double trace = CommonOps_DDRM.trace(a.covariance());
        double roundOff = 16 * 2 * Math.sqrt(20 * 1e-16) * trace;
        assertEquals(0, FrechetDistance.between(a, a), roundOff);
        float[] shifted = x.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 1;
        }
        assertEquals(20, FrechetDistance.between(a, GaussianFit.of(shifted, 5, 20)), roundOff + 1e-5 * 20);
    }

    /**
     * Fits of N = 100000 draws from two diagonal Gaussians in 4 dimensions approach the closed form
     * (3.12): the estimate's standard error is about 0.016 (mostly the mean term, 2 (mu1 - mu2) . error
     * of the means), its bias of order d/N, so 0.1 is six standard errors.
     */
    @Test
    void fitsOfManyDrawsApproachTheClosedForm() {
        double[] a = {1, 0.25, 2, 1}, b = {0.5, 1, 2, 3};
        double[] mu1 = {0, 0, 1, 0}, mu2 = {1, 0, 0, 0.5};
        int n = 100_000;
        GaussianFit fa = GaussianFit.of(draws(n, mu1, a, 7), n, 4);
        GaussianFit fb = GaussianFit.of(draws(n, mu2, b, 8), n, 4);
        double expected = closedFormForCommuting(mu1, mu2, a, b);
        assertEquals(expected, FrechetDistance.between(fa, fb), 0.1);
    }

    @Test
    void nonFiniteFeaturesGiveNaNAndMismatchedDimensionsAreRefused() {
        float[] x = correlated(10, 3, 1, 0);
        GaussianFit ok = GaussianFit.of(x, 10, 3);
        x[4] = Float.NaN;
        GaussianFit bad = GaussianFit.of(x, 10, 3);
        assertTrue(Double.isNaN(FrechetDistance.between(ok, bad)));
        assertTrue(Double.isNaN(FrechetDistance.between(bad, ok)));
        assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(ok, GaussianFit.of(correlated(10, 2, 1, 0), 10, 2)));
    }

    private static double closedFormForCommuting(double[] mu1, double[] mu2, double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.pow(mu1[i] - mu2[i], 2) + Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
        }
        return s;
    }

    private static DMatrixRMaj diag(double[] d) {
        return CommonOps_DDRM.diag(d);
    }

    /** Q diag(d) Q^T. */
    private static DMatrixRMaj rotate(DMatrixRMaj q, double[] d) {
        DMatrixRMaj tmp = new DMatrixRMaj(d.length, d.length), out = new DMatrixRMaj(d.length, d.length);
        CommonOps_DDRM.mult(q, diag(d), tmp);
        CommonOps_DDRM.multTransB(tmp, q, out);
        return out;
    }

    /** The Q of the QR decomposition of a random matrix. */
    private static DMatrixRMaj randomOrthogonal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DMatrixRMaj m = new DMatrixRMaj(n, n);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = r.nextDouble(-1, 1);
        }
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(n, n);
        assertTrue(qr.decompose(m));
        return qr.getQ(null, false);
    }

    /** rows x dim features with correlated columns: z M + offset, z standard normal, M random. */
    private static float[] correlated(int rows, int dim, long seed, float offset) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] mix = new double[dim * dim];
        for (int i = 0; i < mix.length; i++) {
            mix[i] = r.nextDouble(-1, 1);
        }
        float[] x = new float[rows * dim];
        double[] z = new double[dim];
        for (int row = 0; row < rows; row++) {
            for (int k = 0; k < dim; k++) {
                z[k] = r.nextGaussian();
            }
            for (int j = 0; j < dim; j++) {
                double v = offset;
                for (int k = 0; k < dim; k++) {
                    v += z[k] * mix[k * dim + j];
                }
                x[row * dim + j] = (float) v;
            }
        }
        return x;
    }

    /** n draws from N(mu, diag(variance)). */
    private static float[] draws(int n, double[] mu, double[] variance, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * mu.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < mu.length; j++) {
                x[i * mu.length + j] = (float) (mu[j] + Math.sqrt(variance[j]) * r.nextGaussian());
            }
        }
        return x;
    }
}
