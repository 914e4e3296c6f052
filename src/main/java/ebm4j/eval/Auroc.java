package ebm4j.eval;

import java.util.Arrays;

/**
 * Area under the ROC curve for separating positives (in-distribution) from negatives by a score
 * where larger means "more in-distribution": the probability that a random positive outscores a
 * random negative, ties counting one half (the Mann-Whitney U statistic, via ranks).
 */
public final class Auroc {
    private Auroc() {}

    public static double of(double[] positives, double[] negatives) {
        int p = positives.length, n = negatives.length;
        if (p == 0 || n == 0) {
            throw new IllegalArgumentException("AUROC needs at least one positive and one negative");
        }
        double[][] all = new double[p + n][];
        for (int i = 0; i < p; i++) {
            all[i] = new double[] {positives[i], 1};
        }
        for (int i = 0; i < n; i++) {
            all[p + i] = new double[] {negatives[i], 0};
        }
        Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < all.length) {
            int j = i;
            while (j + 1 < all.length && all[j + 1][0] == all[i][0]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1; // ranks are 1-based; ties share the mean rank
            for (int k = i; k <= j; k++) {
                if (all[k][1] == 1) {
                    positiveRankSum += averageRank;
                }
            }
            i = j + 1;
        }
        double u = positiveRankSum - (double) p * (p + 1) / 2;
        return u / ((double) p * n);
    }
}
