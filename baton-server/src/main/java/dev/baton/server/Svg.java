package dev.baton.server;

import static dev.baton.server.Html.esc;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG for the web UI's pictures, written as text like the pages around it: the root with
 * its title and description, text, and two charts (horizontal bars with a label and value each,
 * and columns of one or more values over a row of labels). Colours come from classes in
 * {@code baton.css}, never from style attributes, which the page's policy would block; every text
 * goes through {@link Html#esc}.
 */
final class Svg {
    private static final int LABEL_WIDTH = 190;
    private static final int BAR_WIDTH = 420;
    private static final int BAR_HEIGHT = 18;
    private static final int BAR_GAP = 8;
    private static final int VALUE_WIDTH = 110;
    private static final int COLUMNS_WIDTH = 720;
    private static final int COLUMNS_HEIGHT = 160;
    private static final int AXIS = 40;
    private static final int Y_AXIS = 64;

    private Svg() {}

    /** One horizontal bar: its label, its value, the text shown after it, and the class that colours it. */
    record Bar(String label, long value, String shown, String cssClass) {}

    /** One value of a column: its size and the class that colours it. */
    record Part(long value, String cssClass) {}

    /**
     * One column: the label under it (often blank, so the axis is not crowded), the text a pointer
     * shows over it, and its parts, stacked or side by side.
     */
    record Column(String label, String tip, List<Part> parts) {}

    /** The opening tag of a picture, with a title and a description that name it for screen readers. */
    static String open(String cssClass, String id, int width, int height, String title, String desc) {
        return "<svg class=\"chart " + cssClass + "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + width + " " + height
                + "\" width=\"" + width + "\" height=\"" + height + "\" role=\"img\" aria-labelledby=\"" + id + "-title " + id
                + "-desc\">\n<title id=\"" + id + "-title\">" + esc(title) + "</title>\n<desc id=\"" + id + "-desc\">" + esc(desc)
                + "</desc>\n";
    }

    static String text(double x, double y, String cssClass, String anchor, String text) {
        return "<text class=\"" + cssClass + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">" + esc(text)
                + "</text>\n";
    }

    /** A coordinate: whole numbers as such, others to one decimal, always with a dot. */
    static String num(double v) {
        long whole = Math.round(v);
        return Math.abs(v - whole) < 0.05 ? Long.toString(whole) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** The text cut to {@code max} characters, with an ellipsis when cut. */
    static String fit(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** Horizontal bars, the longest as wide as the chart, each with its label before it and its shown value after it. */
    static String bars(String cssClass, String id, String title, String desc, List<Bar> bars) {
        long max = Math.max(1, bars.stream().mapToLong(Bar::value).max().orElse(1));
        int height = bars.size() * (BAR_HEIGHT + BAR_GAP) + BAR_GAP;
        int width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
        StringBuilder b = new StringBuilder(open("bars " + cssClass, id, width, height, title, desc));
        int y = BAR_GAP;
        for (Bar bar : bars) {
            double w = Math.max(bar.value() > 0 ? 2 : 0, (double) bar.value() / max * BAR_WIDTH);
            b.append("<g class=\"bar ").append(bar.cssClass()).append("\"><title>").append(esc(bar.label() + ": " + bar.shown()))
                    .append("</title>\n")
                    .append(text(LABEL_WIDTH - 8, y + BAR_HEIGHT - 4, "label", "end", fit(bar.label(), 28)))
                    .append("<rect x=\"").append(LABEL_WIDTH).append("\" y=\"").append(y).append("\" width=\"").append(num(w))
                    .append("\" height=\"").append(BAR_HEIGHT).append("\" rx=\"2\"/>\n")
                    .append(text(LABEL_WIDTH + w + 6, y + BAR_HEIGHT - 4, "value", "start", bar.shown()))
                    .append("</g>\n");
            y += BAR_HEIGHT + BAR_GAP;
        }
        return b.append("</svg>\n").toString();
    }

    /**
     * Columns over a row of labels, the tallest as high as the chart, with the largest value on the
     * axis: each column's parts stacked (counts that add up) or side by side (figures that do not).
     */
    static String columns(String cssClass, String id, String title, String desc, List<Column> columns, boolean stacked, String unit) {
        long max = 1;
        for (Column c : columns) {
            long v = stacked ? c.parts().stream().mapToLong(Part::value).sum() : c.parts().stream().mapToLong(Part::value).max().orElse(0);
            max = Math.max(max, v);
        }
        int height = COLUMNS_HEIGHT + 2 * AXIS;
        int width = COLUMNS_WIDTH + Y_AXIS + 10;
        double slot = columns.isEmpty() ? COLUMNS_WIDTH : (double) COLUMNS_WIDTH / columns.size();
        int base = AXIS / 2 + COLUMNS_HEIGHT;
        StringBuilder b = new StringBuilder(open("columns " + cssClass, id, width, height, title, desc));
        b.append("<line class=\"axis\" x1=\"").append(Y_AXIS).append("\" y1=\"").append(base).append("\" x2=\"").append(width - 10)
                .append("\" y2=\"").append(base).append("\"/>\n")
                .append("<line class=\"axis\" x1=\"").append(Y_AXIS).append("\" y1=\"").append(AXIS / 2).append("\" x2=\"").append(Y_AXIS)
                .append("\" y2=\"").append(base).append("\"/>\n")
                .append(text(Y_AXIS - 4, AXIS / 2 + 10, "tick", "end", max + unit))
                .append(text(Y_AXIS - 4, base, "tick", "end", "0"));
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            double x = Y_AXIS + i * slot + slot * 0.1;
            double w = slot * 0.8;
            b.append("<g class=\"column\"><title>").append(esc(c.tip())).append("</title>\n");
            double top = base;
            for (int p = 0; p < c.parts().size(); p++) {
                Part part = c.parts().get(p);
                if (part.value() == 0) {
                    continue;
                }
                double h = (double) part.value() / max * COLUMNS_HEIGHT;
                double px = stacked ? x : x + p * w / c.parts().size();
                double pw = stacked ? w : w / c.parts().size();
                double py = stacked ? top - h : base - h;
                b.append("<rect class=\"").append(part.cssClass()).append("\" x=\"").append(num(px)).append("\" y=\"").append(num(py))
                        .append("\" width=\"").append(num(pw)).append("\" height=\"").append(num(h)).append("\"/>\n");
                top -= stacked ? h : 0;
            }
            b.append("</g>\n");
            if (!c.label().isEmpty()) {
                b.append(text(Y_AXIS + i * slot + slot / 2, base + 16, "tick", "middle", c.label()));
            }
        }
        return b.append("</svg>\n").toString();
    }
}
