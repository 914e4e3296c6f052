package ebm4j.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes PNG files whole: to a temp file beside the target, then a rename. */
final class Png {
    private Png() {}

    /**
     * Writes {@code image} to {@code png}, creating parent folders. Written atomically so a report
     * page reloaded during training never shows a half-written figure.
     */
    static void write(BufferedImage image, Path png) throws IOException {
        Path dir = png.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = ebm4j.TempFiles.beside(dir, "." + png.getFileName(), ".part");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG writer available in this Java runtime");
                }
            }
            ebm4j.TempFiles.replace(tmp, png);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
