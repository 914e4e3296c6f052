package ebm4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for the console: a header of column names, then rows of a label and one cell
 * per column, grouped under title lines. Labels are indented and left-aligned, cells right-aligned
 * (numbers line up on their last digit), columns two spaces apart.
 */
public final class TextTable {
    private static final String INDENT = "  ", GAP = "  ";

    private record Line(String title, String label, List<String> cells) {}

    private final List<String> columns;
    private final List<Line> lines = new ArrayList<>();

    public TextTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    /** A title line before the rows that follow it. */
    public TextTable title(String text) {
        lines.add(new Line(text, null, null));
        return this;
    }

    /** A row: one cell per column. */
    public TextTable row(String label, List<String> cells) {
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + columns.size() + " columns");
        }
        lines.add(new Line(null, label, List.copyOf(cells)));
        return this;
    }

    @Override
    public String toString() {
        int labelWidth = 0;
        int[] widths = new int[columns.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = columns.get(c).length();
        }
        for (Line l : lines) {
            if (l.title() == null) {
                labelWidth = Math.max(labelWidth, INDENT.length() + l.label().length());
                for (int c = 0; c < widths.length; c++) {
                    widths[c] = Math.max(widths[c], l.cells().get(c).length());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, "", columns, labelWidth, widths);
        for (Line l : lines) {
            if (l.title() != null) {
                sb.append(l.title()).append('\n');
            } else {
                appendRow(sb, INDENT + l.label(), l.cells(), labelWidth, widths);
            }
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String label, List<String> cells, int labelWidth, int[] widths) {
        StringBuilder line = new StringBuilder(label);
        line.append(" ".repeat(labelWidth - label.length()));
        for (int c = 0; c < widths.length; c++) {
            line.append(GAP).append(" ".repeat(widths[c] - cells.get(c).length())).append(cells.get(c));
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }
}
