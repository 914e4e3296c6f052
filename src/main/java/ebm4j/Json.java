package ebm4j;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * The project's one JSON configuration (Jackson), for the files a run writes (metrics.jsonl,
 * timing.json, eval.json), {@code bench --json} and the safetensors header.
 *
 * <p>Why a shared configuration: JSON cannot express NaN or infinities, and a diverged epoch or an
 * empty test set produces them; they are written as {@code null}, so every file stays valid JSON
 * that any reader opens (readers turn a missing or null number back into NaN). Reading is bounded
 * (nesting depth, string and number lengths), because a safetensors header comes from a file the
 * user may have downloaded.
 */
public final class Json {
    private Json() {}

    private static final ObjectMapper MAPPER = JsonMapper.builder(new com.fasterxml.jackson.core.JsonFactory()
                    .setStreamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(64).maxStringLength(1 << 20).maxNumberLength(64).build()))
            .addModule(new SimpleModule("non-finite as null")
                    .addSerializer(Double.class, new NonFinite<>(Double.class))
                    .addSerializer(double.class, new NonFinite<>(double.class))
                    .addSerializer(Float.class, new NonFinite<>(Float.class))
                    .addSerializer(float.class, new NonFinite<>(float.class)))
            // one value means one value: text after it (a second object, a stray brace) is an error
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    /** Compact JSON on one line (a line of a {@code .jsonl} file). Maps keep their iteration order. */
    public static String write(Object value) {
        return write(MAPPER, value);
    }

    /** JSON indented two spaces per level, one member per line. */
    public static String writePretty(Object value) {
        return write(PRETTY, value);
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Parses exactly one JSON value (anything after it but white space is an error).
     *
     * @throws IllegalArgumentException naming the first problem and where it is
     */
    public static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage() + " at " + location(e), e);
        }
    }

    /** A number member as a double; missing, null or not a number reads as NaN. */
    public static double number(JsonNode object, String field) {
        JsonNode n = object.get(field);
        return n != null && n.isNumber() ? n.doubleValue() : Double.NaN;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "?" : "line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
    }

    /** Writes a floating-point value, or null when it is NaN or infinite. */
    private static final class NonFinite<T extends Number> extends StdSerializer<T> {
        private static final long serialVersionUID = 1L;

        NonFinite(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            double d = value.doubleValue();
            if (!Double.isFinite(d)) {
                gen.writeNull();
            } else if (value instanceof Float f) {
                gen.writeNumber(f);
            } else {
                gen.writeNumber(d);
            }
        }
    }
}
