package ebm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import org.junit.jupiter.api.Test;

/** The report's judge cells: a share with its interval, a deviation beside chance, and older eval.json files. */
class EvaluationSectionTest {
    @Test
    void aShareShowsItsIntervalAndAnOlderFileTheShareAlone() {
        JsonNode judge = Json.read(
                "{\"conditional_accuracy\": 0.986, \"conditional_accuracy_interval\": [0.97712, 0.99152]}");
        assertEquals("98.6 % (97.7–99.2)", EvaluationSection.share(judge, Evaluation.CONDITIONAL_ACCURACY,
                Evaluation.CONDITIONAL_ACCURACY_INTERVAL).text());
        JsonNode older = Json.read("{\"conditional_accuracy\": 0.986}");
        assertEquals("98.6 %", EvaluationSection.share(older, Evaluation.CONDITIONAL_ACCURACY,
                Evaluation.CONDITIONAL_ACCURACY_INTERVAL).text());
    }

    @Test
    void aDeviationShowsWhatAUniformSamplerReachesByChance() {
        JsonNode judge = Json.read("{\"unconditional_class_max_deviation\": 0.12,"
                + " \"unconditional_class_max_deviation_by_chance\": 0.27}");
        assertEquals("±12 % (±27 % by chance)", EvaluationSection.deviation(judge).text());
        assertEquals("±12 %", EvaluationSection.deviation(Json.read("{\"unconditional_class_max_deviation\": 0.12}"))
                .text());
        assertEquals("—", EvaluationSection.deviation(Json.read("{}")).text());
    }
}
