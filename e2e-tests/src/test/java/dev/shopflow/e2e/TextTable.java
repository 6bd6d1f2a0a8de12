package dev.shopflow.e2e;

import java.util.ArrayList;
import java.util.List;

/** The pipeline benchmark's report as plain text: labelled rows and aligned tables. */
final class TextTable {

    private TextTable() {}

    static void row(StringBuilder out, String label, String value) {
        out.append("  %-18s %s%n".formatted(label, value));
    }

    /** A plain text table: the first column left-aligned, the others right-aligned; short rows span the rest. */
    static void table(StringBuilder out, List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (List<String> cells : concat(header, rows)) {
            if (cells.size() < header.size()) {
                continue;
            }
            for (int i = 0; i < cells.size(); i++) {
                widths[i] = Math.max(widths[i], cells.get(i).length());
            }
        }
        for (List<String> cells : concat(header, rows)) {
            StringBuilder text = new StringBuilder("  ");
            for (int i = 0; i < cells.size(); i++) {
                String cell = cells.get(i);
                if (i == 0) {
                    text.append(cell).append(" ".repeat(widths[0] - cell.length()));
                } else if (cells.size() < header.size()) {
                    text.append("  ").append(cell);
                } else {
                    text.append("  ")
                            .append(" ".repeat(widths[i] - cell.length()))
                            .append(cell);
                }
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
    }

    private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }
}
