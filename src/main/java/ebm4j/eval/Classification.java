package ebm4j.eval;

import ebm4j.model.Scoring;

/**
 * Classifier quality of scores against labels: mean cross-entropy, accuracy, mean energy and
 * the expected calibration error (ECE) over equal-width confidence bins.
 *
 * @param count       rows evaluated
 * @param crossEntropy mean -log softmax(s)[y]
 * @param accuracy    fraction with argmax == label
 * @param meanEnergy  mean of sign * LSE(s)
 * @param ece         sum over bins of (bin share) * |accuracy in bin - mean confidence in bin|
 */
public record Classification(int count, double crossEntropy, double accuracy, double meanEnergy, double ece) {

    public static final int ECE_BINS = 15;

    public static Classification of(float[] scores, int[] labels, int count, int classes, float sign) {
        double ce = 0, energy = 0;
        int correct = 0;
        double[] binConfidence = new double[ECE_BINS];
        int[] binCorrect = new int[ECE_BINS];
        int[] binCount = new int[ECE_BINS];
        for (int r = 0; r < count; r++) {
            double lse = Scoring.logSumExp(scores, r, classes);
            ce += lse - scores[r * classes + labels[r]];
            energy += sign * lse;
            int predicted = Scoring.argmax(scores, r, classes);
            boolean hit = predicted == labels[r];
            correct += hit ? 1 : 0;
            double confidence = Math.exp(scores[r * classes + predicted] - lse);
            int bin = Math.min(ECE_BINS - 1, (int) (confidence * ECE_BINS));
            binConfidence[bin] += confidence;
            binCorrect[bin] += hit ? 1 : 0;
            binCount[bin]++;
        }
        double ece = 0;
        for (int b = 0; b < ECE_BINS; b++) {
            if (binCount[b] > 0) {
                ece += Math.abs(binCorrect[b] - binConfidence[b]) / count;
            }
        }
        return new Classification(count, ce / count, (double) correct / count, energy / count, ece);
    }
}
