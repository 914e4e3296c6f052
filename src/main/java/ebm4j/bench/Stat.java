package ebm4j.bench;

import java.util.Arrays;

/** Median, minimum and maximum of repeated measurements of one quantity. */
public record Stat(double median, double min, double max) {
    public static Stat of(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stat(median, v[0], v[n - 1]);
    }

    public static Stat single(double value) {
        return new Stat(value, value, value);
    }

    /** The same measurements expressed as a rate: count / seconds (min and max swap). */
    public Stat rate(double count) {
        return new Stat(count / median, count / max, count / min);
    }
}
