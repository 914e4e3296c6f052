package ebm4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuantityTest {
    @Test
    void durationsPickTheirUnit() {
        assertEquals("5.27 ms", Quantity.duration(5.27451021).text());
        assertEquals("812 ms", Quantity.duration(812.4).text());
        assertEquals("13.5 s", Quantity.duration(13_460).text());
        assertEquals("13 min 32 s", Quantity.duration(812_239.96).text());
        assertEquals("2 h 05 min", Quantity.duration(7_512_000).text());
    }

    @Test
    void countsAndSignificantDigitsAreGroupedAndRounded() {
        assertEquals("900,000 images", Quantity.count(900000.0, "images").text());
        assertEquals("43,700 energies/s", Quantity.significant(43_712.3, 3, "energies/s").text());
        assertEquals("502 images/s", Quantity.significant(501.8312463189183, 3, "images/s").text());
        assertEquals("-1.351", Quantity.significant(-1.35119, 4, "").text());
        assertEquals("0.00123", Quantity.significant(0.00123456, 3, "").text());
        assertEquals("3.70e6", Quantity.significant(3.7e6, 3, "").text());
        assertEquals("-5.70e8", Quantity.significant(-5.7e8, 3, "").text());
        assertEquals("0", Quantity.significant(0, 3, "").text());
    }

    @Test
    void fractionsAndDecimals() {
        assertEquals("98.70 %", Quantity.percent(0.98704, 2).text());
        assertEquals("0.9978", Quantity.decimals(0.99781234, 4).text());
    }

    @Test
    void missingValuesAreADash() {
        for (Quantity q : List.of(Quantity.duration(Double.NaN), Quantity.count(Double.NaN, "x"),
                Quantity.significant(Double.POSITIVE_INFINITY, 3, "x"), Quantity.percent(Double.NaN, 1),
                Quantity.decimals(Double.NaN, 2), Quantity.missing())) {
            assertEquals("—", q.text());
        }
    }

    @Test
    void reportTablesRightAlignQuantities() {
        String html = new HtmlReport("t").table(List.of("a"), List.of(List.of(Quantity.percent(0.5, 1)))).render();
        assertTrue(html.contains("<td class=\"num\">50.0 %</td>"), html);
    }
}
