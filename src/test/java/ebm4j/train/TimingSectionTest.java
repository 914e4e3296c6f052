package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.Json;
import ebm4j.report.HtmlReport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's timing tables show every member of timing.json by name, with units, and no raw numbers. */
class TimingSectionTest {
    @Test
    void everyTimingMemberHasARowWithItsUnit() {
        Timing timing = new Timing(1e9, 2e8);
        timing.countStep(64, 20);
        timing.countStep(64, 20);
        timing.addPhases(Map.of(TrainStep.DATA, 12.5, TrainStep.SAMPLING, 812_239.96,
                TrainStep.FORWARD_BACKWARD, 40_000.0, TrainStep.OPTIMIZER, 900.0));
        timing.addEvaluation(2_000);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put(TimingSection.DEVICE, "cpu: 2 threads");
        json.putAll(timing.toJson());
        for (String key : json.keySet()) {
            assertTrue(TimingSection.SHOWN.contains(key), key + " has no readable row in the report");
        }

        HtmlReport r = new HtmlReport("t");
        TimingSection.addTo(r, Json.read(Json.write(json)));
        String html = r.render();
        assertTrue(html.contains("<td>Langevin sampling</td><td class=\"num\">13 min 32 s</td>"
                + "<td class=\"num\">95.2 %</td>"), html);
        assertTrue(html.contains("<th>training images</th><td class=\"num\">128</td>"), html);
        assertTrue(html.contains("<th>time per Langevin step</th><td class=\"num\">20.3 s</td>"), html);
        assertTrue(html.contains("<td>test-set evaluation after each epoch (not training)</td>"
                + "<td class=\"num\">2.0 s</td>"), html);
        assertFalse(html.contains("phases_ms") || html.contains("<pre>"), html);
    }
}
