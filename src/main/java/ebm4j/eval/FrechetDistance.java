package ebm4j.eval;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians, {@code |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))}
 * (the squared 2-Wasserstein distance; with Gaussians fitted to a network's features it is the "FID"
 * of the image-generation literature, here in a judge's feature space).
 *
 * <p>How the trace term is computed: {@code S1 S2} is not symmetric, and a general square root of it
 * is fragile (complex round-off, near-singular covariances). But its eigenvalues are those of the
 * symmetric positive semi-definite {@code M = S1^(1/2) S2 S1^(1/2)}, so
 * {@code Tr (S1 S2)^(1/2) = sum_i sqrt(lambda_i(M))}: two symmetric eigendecompositions (EJML's
 * tridiagonal QR), one for {@code S1^(1/2)} and one for the eigenvalues of {@code M}. Round-off can
 * leave eigenvalues of a singular covariance (fewer samples than features) slightly negative; they
 * are clamped to zero, their true value. The total is not clamped: identical sets give a value
 * within rounding of zero, which may be a tiny negative number.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** The distance between two fits (symmetric up to round-off). */
    public static double between(GaussianFit a, GaussianFit b) {
        return from(a).to(b);
    }

    /** Distances from one reference to several fits, decomposing the reference's covariance once. */
    public static Reference from(GaussianFit reference) {
        return new Reference(reference);
    }

    /** A fixed first argument with the square root of its covariance computed once. */
    public static final class Reference {
        private final GaussianFit reference;
        private final DMatrixRMaj sqrt;
        private final double trace;

        private Reference(GaussianFit reference) {
            this.reference = reference;
            this.sqrt = reference.finite() ? sqrtPsd(reference.covariance()) : null;
            this.trace = CommonOps_DDRM.trace(reference.covariance());
        }

        /** The Fréchet distance from the reference to {@code other}; NaN when either has non-finite moments. */
        public double to(GaussianFit other) {
            if (other.dimension() != reference.dimension()) {
                throw new IllegalArgumentException("dimensions differ: " + reference.dimension() + " and "
                        + other.dimension());
            }
            if (sqrt == null || !other.finite()) {
                return Double.NaN;
            }
            double[] m1 = reference.mean(), m2 = other.mean();
            double meanTerm = 0;
            for (int j = 0; j < m1.length; j++) {
                double d = m1[j] - m2[j];
                meanTerm += d * d;
            }
            int n = m1.length;
            DMatrixRMaj tmp = new DMatrixRMaj(n, n), m = new DMatrixRMaj(n, n);
            CommonOps_DDRM.mult(sqrt, other.covariance(), tmp);
            CommonOps_DDRM.mult(tmp, sqrt, m);
            double traceSqrt = 0;
            for (double lambda : symmetricEigen(m, false).values) {
                traceSqrt += Math.sqrt(Math.max(lambda, 0));
            }
            return meanTerm + trace + CommonOps_DDRM.trace(other.covariance()) - 2 * traceSqrt;
        }
    }

    /** The symmetric square root V sqrt(max(Lambda, 0)) V^T of a symmetric positive semi-definite matrix. */
    static DMatrixRMaj sqrtPsd(DMatrixRMaj s) {
        Eigen e = symmetricEigen(s, true);
        int n = s.numRows;
        DMatrixRMaj scaled = new DMatrixRMaj(n, n); // column i = sqrt(lambda_i) v_i
        for (int i = 0; i < n; i++) {
            double root = Math.sqrt(Math.max(e.values[i], 0));
            for (int r = 0; r < n; r++) {
                scaled.data[r * n + i] = root * e.vectors.data[r * n + i];
            }
        }
        DMatrixRMaj out = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(scaled, e.vectors, out);
        return out;
    }

    /** Eigenvalues (and, if asked, eigenvectors as the columns of {@code vectors}) of a symmetric matrix. */
    record Eigen(double[] values, DMatrixRMaj vectors) {}

    /** Symmetrises (A + A^T)/2 first: products of symmetric matrices are symmetric only up to round-off. */
    static Eigen symmetricEigen(DMatrixRMaj a, boolean vectors) {
        int n = a.numRows;
        DMatrixRMaj sym = a.copy();
        GaussianFit.symmetrise(sym);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, vectors, true);
        if (!eig.decompose(sym)) {
            throw new IllegalStateException("the symmetric eigendecomposition of a " + n + "x" + n
                    + " covariance product did not converge");
        }
        double[] values = new double[n];
        DMatrixRMaj v = vectors ? new DMatrixRMaj(n, n) : null;
        for (int i = 0; i < n; i++) {
            values[i] = eig.getEigenvalue(i).getReal();
            if (vectors) {
                DMatrixRMaj col = eig.getEigenVector(i);
                for (int r = 0; r < n; r++) {
                    v.data[r * n + i] = col.data[r];
                }
            }
        }
        return new Eigen(values, v);
    }
}
