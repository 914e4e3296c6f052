package ebm4j.report;

import ebm4j.UserException;
import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON writer and reader, enough for {@code metrics.jsonl}, {@code timing.json} and the
 * report.
 *
 * <p>Writing accepts {@link Map} (insertion order kept, keys via {@code toString}), {@link List}
 * and other {@link Iterable}s, arrays (primitive or not), {@link String}, {@link Number},
 * {@link Boolean}, null, and as strings {@link Character}, enums and {@link Path}. NaN and infinities, which JSON cannot express, become {@code null}.
 *
 * <p>Reading returns {@link LinkedHashMap}, {@link ArrayList}, {@link String}, {@link Double} (every
 * number), {@link Boolean} or null.
 */
public final class Json {
    private Json() {}

    /** Compact JSON on one line, as a line of a {@code .jsonl} file needs. */
    public static String write(Object value) {
        return write(value, false);
    }

    /** JSON text; {@code pretty} indents by two spaces, one member per line. */
    public static String write(Object value, boolean pretty) {
        StringBuilder out = new StringBuilder();
        new Writer(out, pretty).value(value, 0);
        return out.toString();
    }

    /**
     * Parses one JSON value (surrounding white space allowed).
     *
     * @throws IllegalArgumentException with the offset of the first error
     */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    /**
     * Reads a JSON-lines file (one value per line; blank lines ignored).
     *
     * @throws UserException naming the file and line when it cannot be read or a line is not JSON
     */
    public static List<Object> parseLines(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                values.add(parse(lines.get(i)));
            } catch (IllegalArgumentException e) {
                throw new UserException(file + ":" + (i + 1) + ": not valid JSON (" + e.getMessage()
                        + "); the run may have been interrupted while writing, delete that line", e);
            }
        }
        return values;
    }

    /** Escapes {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        Writer.string(out, s);
        return out.toString();
    }

    private static final class Writer {
        private final StringBuilder out;
        private final boolean pretty;

        Writer(StringBuilder out, boolean pretty) {
            this.out = out;
            this.pretty = pretty;
        }

        void value(Object v, int depth) {
            if (v == null) {
                out.append("null");
            } else if (v instanceof String s) {
                string(out, s);
            } else if (v instanceof Boolean b) {
                out.append(b.booleanValue());
            } else if (v instanceof Number n) {
                number(n);
            } else if (v instanceof Character || v instanceof Enum<?> || v instanceof Path) {
                string(out, v.toString()); // before Iterable: a Path iterates over its own names
            } else if (v instanceof Map<?, ?> m) {
                object(m, depth);
            } else if (v instanceof Iterable<?> it) {
                List<Object> items = new ArrayList<>();
                it.forEach(items::add);
                array(items, depth);
            } else if (v.getClass().isArray()) {
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < Array.getLength(v); i++) {
                    items.add(Array.get(v, i));
                }
                array(items, depth);
            } else {
                throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
            }
        }

        private void number(Number n) {
            if (n instanceof Double || n instanceof Float) {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) {
                    out.append("null");
                } else if (n instanceof Float f) {
                    out.append(Float.toString(f)); // 0.1f stays 0.1, not 0.10000000149011612
                } else {
                    out.append(Double.toString(d));
                }
            } else if (n instanceof BigDecimal || n instanceof BigInteger) {
                out.append(n.toString());
            } else {
                out.append(n.longValue());
            }
        }

        private void object(Map<?, ?> m, int depth) {
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                newline(depth + 1);
                string(out, String.valueOf(e.getKey()));
                out.append(pretty ? ": " : ":");
                value(e.getValue(), depth + 1);
            }
            newline(depth);
            out.append('}');
        }

        private void array(List<Object> items, int depth) {
            if (items.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < items.size(); i++) {
                out.append(i == 0 ? "" : ",");
                newline(depth + 1);
                value(items.get(i), depth + 1);
            }
            newline(depth);
            out.append(']');
        }

        private void newline(int depth) {
            if (pretty) {
                out.append('\n').append("  ".repeat(depth));
            }
        }

        static void string(StringBuilder out, String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        // Control characters must be escaped; U+2028/9 too, so the text is also valid JavaScript.
                        if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    /** Recursive descent over RFC 8259. */
    private static final class Parser {
        private static final int MAX_DEPTH = 512;
        private final String s;
        int pos;
        private int depth;

        Parser(String s) {
            this.s = s;
        }

        Object value() {
            if (pos >= s.length()) {
                throw error("unexpected end of input");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        private Map<String, Object> object() {
            enter();
            pos++; // {
            Map<String, Object> m = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                depth--;
                return m;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a string key");
                }
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                m.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    depth--;
                    return m;
                }
            }
        }

        private List<Object> array() {
            enter();
            pos++; // [
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                pos++;
                depth--;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    depth--;
                    return list;
                }
            }
        }

        private String string() {
            pos++; // opening quote
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("unescaped control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Double number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (!digits()) {
                throw error("bad number");
            }
            if (peek() == '.') {
                pos++;
                if (!digits()) {
                    throw error("bad number: no digits after '.'");
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!digits()) {
                    throw error("bad number: no digits in the exponent");
                }
            }
            return Double.parseDouble(s.substring(start, pos));
        }

        private boolean digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            return pos > start;
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw error("unexpected character '" + s.charAt(pos) + "'");
            }
            pos += word.length();
            return value;
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH);
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error(pos < s.length() ? "expected '" + c + "'" : "unexpected end of input, expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) {
                pos++;
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at offset " + pos);
        }
    }
}
