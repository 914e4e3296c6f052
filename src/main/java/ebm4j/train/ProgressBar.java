package ebm4j.train;

import java.util.Locale;

/** Formats the per-epoch progress line: a bar, batches done, running loss and images/s. */
final class ProgressBar {
    private static final int WIDTH = 30;

    private ProgressBar() {}

    static String line(int epoch, int epochs, int done, int total, double loss, double accuracy,
                       double imagesPerSecond) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        return String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d loss %.4f acc %.3f %.1f img/s",
                epoch, epochs, "=".repeat(filled), " ".repeat(WIDTH - filled), done, total, loss,
                accuracy, imagesPerSecond);
    }
}
