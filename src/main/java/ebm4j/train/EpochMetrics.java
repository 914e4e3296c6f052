package ebm4j.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch's figures, as written to metrics.jsonl. Training values are means over the epoch's
 * batches; test values come from the whole test set after the epoch.
 */
public record EpochMetrics(int epoch, int batches, double trainLoss, double trainClf, double trainGen,
                           double energyReal, double energySample, double trainAccuracy, double testLoss,
                           double testAccuracy, double testEnergy, double testEce, double imagesPerSecond,
                           double seconds) {

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("batches", batches);
        m.put("train_loss", trainLoss);
        m.put("train_clf", trainClf);
        m.put("train_gen", trainGen);
        m.put("e_real", energyReal);
        m.put("e_sample", energySample);
        m.put("train_acc", trainAccuracy);
        m.put("test_loss", testLoss);
        m.put("test_acc", testAccuracy);
        m.put("test_energy", testEnergy);
        m.put("test_ece", testEce);
        m.put("images_per_s", imagesPerSecond);
        m.put("seconds", seconds);
        return m;
    }
}
