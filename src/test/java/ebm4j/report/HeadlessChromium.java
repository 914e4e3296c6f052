package ebm4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (JSON over a WebSocket,
 * with the JDK's own client): open a page, run script in it, collect what it logs, take a
 * screenshot. Each instance runs its own browser with a fresh profile, deleted on close.
 *
 * <p>Where there is no browser: with {@code EBM4J_REQUIRE_BROWSER=1} in the environment (CI sets
 * it; {@code .ci/run} installs chromium) that is a test failure; otherwise the test is skipped
 * with a message saying how to install one.
 */
public final class HeadlessChromium implements AutoCloseable {
    /** The environment variable that makes a missing browser a failure instead of a skip. */
    public static final String REQUIRE = "EBM4J_REQUIRE_BROWSER";
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper json = new ObjectMapper();
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** Every event the page sent, in order (method and params). */
    private final List<JsonNode> events = new ArrayList<>();

    private HeadlessChromium(Path binary) throws IOException, InterruptedException {
        profile = Files.createTempDirectory("ebm4j-chromium");
        process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "--window-size=1200,900", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String browserUrl = awaitDevToolsUrl();
            socket = connect(pageSocketUrl(browserUrl));
        } catch (IOException | InterruptedException | RuntimeException e) {
            stopProcess();
            throw e;
        }
    }

    /** Starts a browser, or skips the test (fails it under {@value #REQUIRE}=1) when none is installed. */
    public static HeadlessChromium start() throws IOException, InterruptedException {
        Path binary = find();
        if (binary == null) {
            String message = "no Chromium found (" + String.join(", ", NAMES) + " on the PATH; install Debian's"
                    + " chromium: apt-get install chromium)";
            if ("1".equals(System.getenv(REQUIRE))) {
                throw new AssertionError(message + ", and " + REQUIRE + "=1 requires one");
            }
            Assumptions.abort(message);
        }
        return new HeadlessChromium(binary);
    }

    private static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : NAMES) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The browser prints its DevTools address on stderr; the rest of stderr is drained so it never blocks. */
    private String awaitDevToolsUrl() throws InterruptedException {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the browser went away; the wait below reports it
            }
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        long end = System.nanoTime() + TIMEOUT.toNanos();
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < end) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (!process.isAlive() && lines.isEmpty()) {
                    throw new IllegalStateException("chromium exited (" + process.exitValue() + "):\n" + seen);
                }
                continue;
            }
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
            seen.append(line).append('\n');
        }
        throw new IllegalStateException("chromium gave no DevTools address in " + TIMEOUT.toSeconds() + " s:\n" + seen);
    }

    /** The WebSocket of the page the browser opened (about:blank), from its /json/list. */
    private String pageSocketUrl(String browserUrl) throws IOException, InterruptedException {
        URI browser = URI.create(browserUrl);
        URI list = URI.create("http://" + browser.getHost() + ":" + browser.getPort() + "/json/list");
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(list).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode target : json.readTree(r.body())) {
                if ("page".equals(target.path("type").asText())) {
                    return target.get("webSocketDebuggerUrl").asText();
                }
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("chromium lists no page: " + r.body());
            }
            Thread.sleep(100);
        }
    }

    private WebSocket connect(String url) {
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    receive(message.toString());
                    message.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create(url), listener).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private void receive(String text) {
        JsonNode m;
        try {
            m = json.readTree(text);
        } catch (IOException e) {
            return;
        }
        if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
            if (f != null) {
                f.complete(m);
            }
        } else {
            synchronized (events) {
                events.add(m);
                events.notifyAll();
            }
        }
    }

    /**
     * Calls a DevTools method and returns its result.
     *
     * @throws AssertionError when the browser answers with an error or not within 30 s
     */
    public JsonNode call(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode request = json.createObjectNode().put("id", id).put("method", method);
        request.set("params", json.valueToTree(params));
        socket.sendText(request.toString(), true).join();
        JsonNode reply;
        try {
            reply = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(method + " got no answer: " + e, e);
        }
        if (reply.has("error")) {
            throw new AssertionError(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    /** Waits for the first event named {@code method}. */
    public JsonNode awaitEvent(String method) throws InterruptedException {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        synchronized (events) {
            while (true) {
                for (JsonNode e : events) {
                    if (method.equals(e.path("method").asText())) {
                        return e.path("params");
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + method + " within " + TIMEOUT.toSeconds() + " s");
                }
                events.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Opens {@code url}, with console, log and exception events on, and waits for its load event. */
    public void open(URI url) throws InterruptedException {
        call("Runtime.enable", Map.of());
        call("Log.enable", Map.of());
        call("Page.enable", Map.of());
        call("Page.navigate", Map.of("url", url.toString()));
        awaitEvent("Page.loadEventFired");
    }

    /** Evaluates a JavaScript expression in the page and returns its value as JSON. */
    public JsonNode evaluate(String expression) {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("the page threw: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /**
     * What the page reported as an error: uncaught exceptions, console.error and console.assert
     * calls, and the browser's own error log entries (a resource that failed to load, a blocked
     * request), each as one line.
     */
    public List<String> errors() {
        List<String> out = new ArrayList<>();
        synchronized (events) {
            for (JsonNode e : events) {
                JsonNode p = e.path("params");
                switch (e.path("method").asText()) {
                    case "Runtime.exceptionThrown" -> out.add("exception: " + p.path("exceptionDetails"));
                    case "Runtime.consoleAPICalled" -> {
                        String type = p.path("type").asText();
                        if (type.equals("error") || type.equals("assert")) {
                            out.add("console." + type + ": " + p.path("args"));
                        }
                    }
                    case "Log.entryAdded" -> {
                        if ("error".equals(p.path("entry").path("level").asText())) {
                            out.add("log: " + p.path("entry").path("text").asText() + " "
                                    + p.path("entry").path("url").asText());
                        }
                    }
                    default -> { }
                }
            }
        }
        return out;
    }

    /** A PNG of the whole page (its full height, up to 16,000 CSS pixels), {@code width} pixels wide. */
    public byte[] screenshot(int width) {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 900, "deviceScaleFactor", 1,
                "mobile", false));
        JsonNode size = call("Page.getLayoutMetrics", Map.of()).path("cssContentSize");
        int height = (int) Math.min(16_000, Math.ceil(size.path("height").asDouble(900)));
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", false));
        String png = call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        return java.util.Base64.getDecoder().decode(png);
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).join();
        } catch (RuntimeException e) {
            // the browser is stopped below either way
        }
        stopProcess();
    }

    /** Stops the browser and its helper processes (renderer, GPU, zygote), then deletes the profile. */
    private void stopProcess() {
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle h : helpers) {
                h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join();
                h.destroyForcibly(); // does nothing to a helper that has exited
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is not worth failing a test
        }
    }
}
