package ebm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void nonFiniteNumbersBecomeNullAndReadBackAsNaN() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", Double.NaN);
        m.put("e", Float.NEGATIVE_INFINITY);
        m.put("acc", 0.5);
        m.put("f", 0.1f);
        m.put("list", List.of(1, Double.POSITIVE_INFINITY));
        String text = Json.write(m);
        assertEquals("{\"loss\":null,\"e\":null,\"acc\":0.5,\"f\":0.1,\"list\":[1,null]}", text);
        JsonNode back = Json.read(text);
        assertTrue(Double.isNaN(Json.number(back, "loss")));
        assertTrue(Double.isNaN(Json.number(back, "missing")));
        assertEquals(0.5, Json.number(back, "acc"));
    }

    @Test
    void prettyOutputHasOneMemberPerLine() {
        String text = Json.writePretty(Map.of("a", 1));
        assertTrue(text.contains("\n") && text.contains("\"a\" : 1"), text);
    }

    @Test
    void malformedTextNamesWhereItBroke() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read("{\"a\": [1, 2}"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void textAfterTheValueIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"a\": 1} {\"b\": 2}"));
        assertThrows(IllegalArgumentException.class, () -> Json.read("[1] x"));
        assertEquals(1, Json.read(" {\"a\": 1}\n ").get("a").asInt());
    }

    @Test
    void deeplyNestedInputIsRefusedBeforeItExhaustsTheStack() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read(deep));
        assertTrue(e.getMessage().toLowerCase().contains("nesting"), e.getMessage());
    }
}
