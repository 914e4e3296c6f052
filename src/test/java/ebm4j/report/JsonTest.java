package ebm4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @Test
    void writesCompactWithOrderEscapesAndNullForNaN() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", 3);
        m.put("loss", 0.25);
        m.put("bad", Double.NaN);
        m.put("inf", Float.NEGATIVE_INFINITY);
        m.put("lr", 0.001f);
        m.put("text", "a\"b\\c\n\t\u0001</script>é");
        m.put("ok", true);
        m.put("none", null);
        m.put("dims", new int[] {512, 512});
        m.put("empty", List.of());
        assertEquals("{\"epoch\":3,\"loss\":0.25,\"bad\":null,\"inf\":null,\"lr\":0.001,"
                + "\"text\":\"a\\\"b\\\\c\\n\\t\\u0001</script>é\",\"ok\":true,\"none\":null,\"dims\":[512,512],\"empty\":[]}",
                Json.write(m));
    }

    @Test
    void roundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", "last key written first");
        m.put("name", "quote \" backslash \\ slash / newline \n tab \t bell \u0007 line-sep \u2028 emoji \uD83D\uDE00");
        m.put("values", Arrays.asList(1.0, -2.5e-8, 3.0e21, null, false));
        m.put("nested", Map.of("k", List.of(Map.of())));
        m.put("nan", Double.NaN);
        for (boolean pretty : new boolean[] {false, true}) {
            Object back = Json.parse(Json.write(m, pretty));
            Map<String, Object> expected = new LinkedHashMap<>(m);
            expected.put("nan", null);
            assertEquals(expected, back);
            assertEquals(List.of("z", "name", "values", "nested", "nan"), new ArrayList<>(((Map<?, ?>) back).keySet()));
        }
    }

    @Test
    void prettyIndents() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", List.of(2, 3));
        assertEquals("{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ]\n}", Json.write(m, true));
    }

    @Test
    void parsesNumbersAsDoublesAndEscapes() {
        assertEquals(List.of(0.0, -1.0, 1.5, 1e-3, 12.0), Json.parse(" [0, -1, 1.5, 1E-3, 12] "));
        assertEquals("A/é", Json.parse("\"\\u0041\\/\\u00e9\""));
        assertNull(Json.parse("null"));
    }

    @Test
    void rejectsMalformedJson() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"abc", "tru", "[1] x", "{a:1}", "\"\u0001\"", "-"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
        }
    }

    @Test
    void readsJsonLinesAndNamesABadLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, Json.write(Map.of("epoch", 1)) + "\n\n" + Json.write(Map.of("epoch", 2)) + "\n");
        assertEquals(List.of(Map.of("epoch", 1.0), Map.of("epoch", 2.0)), Json.parseLines(f));
        Files.writeString(f, "{\"epoch\":1}\n{\"epoch\":", StandardOpenOption.TRUNCATE_EXISTING);
        UserException e = assertThrows(UserException.class, () -> Json.parseLines(f));
        assertTrue(e.getMessage().contains(f + ":2"), e.getMessage());
    }

    @Test
    void writesPathsAndEnumsAsStrings() {
        assertEquals("[\"runs/a\",\"SECONDS\"]", Json.write(List.of(Path.of("runs/a"), TimeUnit.SECONDS)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
