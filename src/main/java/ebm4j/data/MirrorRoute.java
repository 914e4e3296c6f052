package ebm4j.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;

/**
 * Fetches the classic gzipped files ({@code <name>.gz}) over HTTP(S) from one or more mirrors,
 * gunzips them and installs the raw files. A mirror that fails once is not asked for the remaining
 * files, so an unreachable host costs one connect timeout, not four.
 */
final class MirrorRoute implements FetchRoute {
    private final List<URI> mirrors;
    private final Duration connectTimeout;
    private final Duration fileDeadline;

    /**
     * @param mirrors base URIs ending in {@code /}
     * @param connectTimeout for connecting and for the response headers
     * @param fileDeadline for one whole file, body included (a stalled body cannot hang us)
     */
    MirrorRoute(List<URI> mirrors, Duration connectTimeout, Duration fileDeadline) {
        this.mirrors = List.copyOf(mirrors);
        this.connectTimeout = connectTimeout;
        this.fileDeadline = fileDeadline;
    }

    @Override
    public String describe() {
        List<String> names = new ArrayList<>();
        mirrors.forEach(m -> names.add(m.toString()));
        return "HTTPS mirrors " + String.join(", ", names);
    }

    @Override
    public void fetch(Set<String> wanted, Path dir, Map<String, String> sha256) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        Set<String> left = new LinkedHashSet<>(wanted);
        List<String> failures = new ArrayList<>();
        for (URI mirror : mirrors) {
            for (String name : new ArrayList<>(left)) {
                URI uri = mirror.resolve(name + ".gz");
                try {
                    byte[] gz = download(client, uri);
                    VerifiedFile.install(new GZIPInputStream(new ByteArrayInputStream(gz)), dir.resolve(name), sha256.get(name));
                    left.remove(name);
                } catch (InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    failures.add(uri + ": " + e.getMessage());
                    break; // next mirror for what is left
                }
            }
            if (left.isEmpty()) {
                return;
            }
        }
        throw new IOException(String.join("; ", failures));
    }

    private byte[] download(HttpClient client, URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(connectTimeout).GET().build();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            HttpResponse<byte[]> response = future.get(fileDeadline.toMillis(), TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException("no complete answer within " + fileDeadline.toSeconds() + " s");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + uri);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            throw new IOException(why, cause);
        }
    }
}
