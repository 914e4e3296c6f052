package ebm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Test helper: a safetensors file taken apart into its JSON header and its data bytes, so tests
 * can change the header and write the file back with a consistent header length.
 */
public final class SafeTensorsFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final ObjectNode header;
    public final byte[] data;

    private SafeTensorsFiles(ObjectNode header, byte[] data) {
        this.header = header;
        this.data = data;
    }

    public static SafeTensorsFiles read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long len = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode h = JSON.readTree(new String(all, 8, (int) len, StandardCharsets.UTF_8).trim());
        return new SafeTensorsFiles((ObjectNode) h, Arrays.copyOfRange(all, 8 + (int) len, all.length));
    }

    /** The metadata object (created if absent). */
    public ObjectNode metadata() {
        JsonNode m = header.get("__metadata__");
        return m instanceof ObjectNode o ? o : header.putObject("__metadata__");
    }

    /** A tensor's entry. */
    public ObjectNode tensor(String name) {
        return (ObjectNode) header.get(name);
    }

    /** Writes the (changed) header and the data back, with the header length it now has. */
    public void write(Path file) throws IOException {
        write(file, JSON.writeValueAsString(header), data);
    }

    /** Writes any header text with its length, then the data. */
    public static void write(Path file, String headerText, byte[] data) throws IOException {
        byte[] h = headerText.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
    }
}
