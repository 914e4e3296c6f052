package ebm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
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

    /** The record of one metrics.jsonl line; a missing number reads as NaN. */
    public static EpochMetrics fromJson(JsonNode m) {
        if (!m.isObject()) {
            throw new IllegalArgumentException("a metrics line is a JSON object, got " + m.getNodeType());
        }
        return new EpochMetrics((int) num(m, "epoch"), (int) num(m, "batches"), num(m, "train_loss"),
                num(m, "train_clf"), num(m, "train_gen"), num(m, "e_real"), num(m, "e_sample"), num(m, "train_acc"),
                num(m, "test_loss"), num(m, "test_acc"), num(m, "test_energy"), num(m, "test_ece"),
                num(m, "images_per_s"), num(m, "seconds"));
    }

    private static double num(JsonNode m, String key) {
        return Json.number(m, key);
    }

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
