package ebm4j.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * A number as a report shows it: rounded to what is worth reading, digits grouped in thousands,
 * with its unit. {@link HtmlReport} right-aligns quantities in tables like other numbers. A value
 * that is missing or not finite (JSON's null, NaN) shows as a dash.
 *
 * @param text the formatted value and unit
 */
public record Quantity(String text) {
    private static final String MISSING = "—";

    /** A value that is not there (a dash). */
    public static Quantity missing() {
        return new Quantity(MISSING);
    }

    /** {@code 812 ms}, {@code 5.27 ms}, {@code 13.5 s}, {@code 13 min 32 s}, {@code 2 h 05 min}. */
    public static Quantity duration(double millis) {
        if (!Double.isFinite(millis)) {
            return new Quantity(MISSING);
        }
        if (millis < 10) {
            return new Quantity(String.format(Locale.ROOT, "%.2f ms", millis));
        }
        if (millis < 1000) {
            return new Quantity(String.format(Locale.ROOT, "%.0f ms", millis));
        }
        double seconds = millis / 1000;
        if (seconds < 60) {
            return new Quantity(String.format(Locale.ROOT, "%.1f s", seconds));
        }
        long s = Math.round(seconds);
        if (s < 3600) {
            return new Quantity(String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60));
        }
        long m = Math.round(seconds / 60);
        return new Quantity(String.format(Locale.ROOT, "%d h %02d min", m / 60, m % 60));
    }

    /** A whole number with grouped digits: {@code 900,000 images}; unit may be empty. */
    public static Quantity count(double n, String unit) {
        if (!Double.isFinite(n)) {
            return new Quantity(MISSING);
        }
        return new Quantity(withUnit(String.format(Locale.ROOT, "%,d", Math.round(n)), unit));
    }

    /**
     * Rounded to {@code digits} significant digits, grouped, never in exponent form between 1e-3
     * and 1e6: {@code 43,700 energies/s}, {@code 5.27 ms}, {@code -1.351}. Outside that range:
     * {@code 3.70e6}.
     */
    public static Quantity significant(double value, int digits, String unit) {
        if (!Double.isFinite(value)) {
            return new Quantity(MISSING);
        }
        if (value == 0) {
            return new Quantity(withUnit("0", unit));
        }
        double a = Math.abs(value);
        if (a >= 1e6 || a < 1e-3) {
            String mantissa = String.format(Locale.ROOT, "%." + (digits - 1) + "e", value);
            int e = mantissa.indexOf('e');
            int exponent = Integer.parseInt(mantissa.substring(e + 1));
            return new Quantity(withUnit(mantissa.substring(0, e) + "e" + exponent, unit));
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(digits, RoundingMode.HALF_EVEN));
        int decimals = Math.max(0, rounded.scale());
        return new Quantity(withUnit(String.format(Locale.ROOT, "%,." + decimals + "f", rounded), unit));
    }

    /** A fixed number of decimals: {@code 0.9978}. */
    public static Quantity decimals(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return new Quantity(MISSING);
        }
        return new Quantity(String.format(Locale.ROOT, "%." + decimals + "f", value));
    }

    /** A fraction as a percentage: {@code 0.98704} at 2 decimals is {@code 98.70 %}. */
    public static Quantity percent(double fraction, int decimals) {
        if (!Double.isFinite(fraction)) {
            return new Quantity(MISSING);
        }
        return new Quantity(String.format(Locale.ROOT, "%." + decimals + "f %%", fraction * 100));
    }

    private static String withUnit(String number, String unit) {
        return unit == null || unit.isEmpty() ? number : number + " " + unit;
    }

    @Override
    public String toString() {
        return text;
    }
}
