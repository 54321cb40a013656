package dev.baton.server;

import static dev.baton.server.Html.esc;
import static dev.baton.server.Svg.num;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Sankey diagram of one desk's handoffs: the agents as bars in columns by their distance from
 * the entry agent (on the left) along the handoffs that happened, and each (from, to) pair as a
 * band whose width is proportional to how many times it happened, labelled with that count; each
 * agent's name above its bar. A
 * handoff back to an earlier column (or within one) loops below the diagram.
 */
final class Sankey {
    private static final int NODE_WIDTH = 14;
    private static final int COLUMN = 240;
    private static final int GAP = 30;
    private static final int MARGIN = 40;
    private static final int LOOP_REACH = 60;
    private static final int LABEL_ROOM = 180;
    private static final int TALLEST = 220;
    private static final double MAX_SCALE = 12;
    private static final int LOOP_ROOM = 20;

    private Sankey() {}

    private static final class Node {
        final String name;
        int column;
        int inflow;
        int outflow;
        double x;
        double y;
        double height;
        double inOffset;
        double outOffset;

        Node(String name, int column) {
            this.name = name;
            this.column = column;
        }

        int value() {
            return Math.max(1, Math.max(inflow, outflow));
        }
    }

    /** The flow's diagram; {@code id} makes its title's id unique on the page. */
    static String svg(Overview.Flow flow, String id) {
        Map<String, Node> nodes = layout(flow);
        Map<Integer, List<Node>> columns = new LinkedHashMap<>();
        nodes.values().forEach(n -> columns.computeIfAbsent(n.column, c -> new ArrayList<>()).add(n));
        int tallest = columns.values().stream().mapToInt(c -> c.stream().mapToInt(Node::value).sum()).max().orElse(1);
        double scale = Math.min(MAX_SCALE, (double) TALLEST / tallest);
        double bottom = 0;
        for (List<Node> column : columns.values()) {
            double y = MARGIN;
            for (Node n : column) {
                n.x = MARGIN + n.column * COLUMN;
                n.y = y;
                n.height = Math.max(6, n.value() * scale);
                y += n.height + GAP;
            }
            bottom = Math.max(bottom, y - GAP);
        }
        int width = 2 * MARGIN + (columns.size() - 1) * COLUMN + NODE_WIDTH + LABEL_ROOM;
        double backBands = flow.links().stream().filter(l -> nodes.get(l.to()).column <= nodes.get(l.from()).column)
                .mapToDouble(l -> Math.max(1.5, l.count() * scale)).sum();
        int height = (int) Math.ceil(bottom + 24 + (backBands > 0 ? backBands + LOOP_ROOM : 0));

        StringBuilder links = new StringBuilder();
        List<Overview.Link> ordered = new ArrayList<>(flow.links());
        ordered.sort(Comparator.comparingDouble((Overview.Link l) -> nodes.get(l.from()).y).thenComparingDouble(l -> nodes.get(l.to()).y));
        double loop = bottom + 12;
        for (Overview.Link l : ordered) {
            Node from = nodes.get(l.from());
            Node to = nodes.get(l.to());
            double band = Math.max(1.5, l.count() * scale);
            double y1 = from.y + from.outOffset + band / 2;
            from.outOffset += band;
            double y2 = to.y + to.inOffset + band / 2;
            to.inOffset += band;
            double x1 = from.x + NODE_WIDTH;
            double x2 = to.x;
            boolean back = to.column <= from.column;
            String d;
            double mx;
            double my;
            if (back) {
                double below = Math.min(height - 4, loop += band);
                d = "M" + num(x1) + "," + num(y1) + " C" + num(x1 + LOOP_REACH) + "," + num(below) + " " + num(x2 - LOOP_REACH) + "," + num(below) + " "
                        + num(x2) + "," + num(y2);
                mx = (x1 + 3 * (x1 + LOOP_REACH) + 3 * (x2 - LOOP_REACH) + x2) / 8;
                my = (y1 + 6 * below + y2) / 8 + band + 12;
            } else {
                double mid = (x2 - x1) / 2;
                d = "M" + num(x1) + "," + num(y1) + " C" + num(x1 + mid) + "," + num(y1) + " " + num(x2 - mid) + "," + num(y2) + " "
                        + num(x2) + "," + num(y2);
                mx = (x1 + x2) / 2;
                my = (y1 + y2) / 2;
            }
            String what = l.from() + " → " + l.to() + ": " + l.count() + (l.count() == 1 ? " handoff" : " handoffs");
            links.append("<g class=\"link").append(back ? " back" : "").append("\"><title>").append(esc(what)).append("</title><path d=\"")
                    .append(d).append("\" stroke-width=\"").append(num(band)).append("\"/>\n")
                    .append(Svg.text(mx, my - band / 2 - 3, "count", "middle", Integer.toString(l.count()))).append("</g>\n");
        }

        StringBuilder b = new StringBuilder(Svg.open("sankey", id, width, height, "Handoffs of desk " + flow.desk(),
                "How conversations of desk " + flow.desk() + " flowed from its entry agent " + flow.entryAgent()
                        + ": each band is a handoff from one agent to another, as wide as the number of times it happened."));
        b.append(links);
        for (Node n : nodes.values()) {
            boolean entry = n.name.equals(flow.entryAgent());
            b.append("<g class=\"agent").append(entry ? " entry" : "").append("\"><title>")
                    .append(esc(n.name + (entry ? " (entry agent)" : "") + ": " + n.inflow + " in, " + n.outflow + " out"))
                    .append("</title><rect x=\"").append(num(n.x)).append("\" y=\"").append(num(n.y)).append("\" width=\"")
                    .append(NODE_WIDTH).append("\" height=\"").append(num(n.height)).append("\"/>\n")
                    .append(Svg.text(n.x, n.y - 6, "name", "start", Svg.fit(n.name, 28)))
                    .append("</g>\n");
        }
        return b.append("</svg>\n").toString();
    }

    /** The agents of the flow by breadth-first distance from the entry agent (and from any agent it does not reach), with their flows. */
    private static Map<String, Node> layout(Overview.Flow flow) {
        Map<String, List<String>> targets = new HashMap<>();
        List<String> names = new ArrayList<>(List.of(flow.entryAgent()));
        for (Overview.Link l : flow.links()) {
            targets.computeIfAbsent(l.from(), k -> new ArrayList<>()).add(l.to());
            if (!names.contains(l.from())) {
                names.add(l.from());
            }
            if (!names.contains(l.to())) {
                names.add(l.to());
            }
        }
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (String root : names) {
            if (nodes.containsKey(root)) {
                continue;
            }
            nodes.put(root, new Node(root, 0));
            Deque<String> queue = new ArrayDeque<>(List.of(root));
            while (!queue.isEmpty()) {
                Node from = nodes.get(queue.poll());
                for (String to : targets.getOrDefault(from.name, List.of())) {
                    if (!nodes.containsKey(to)) {
                        nodes.put(to, new Node(to, from.column + 1));
                        queue.add(to);
                    }
                }
            }
        }
        for (Overview.Link l : flow.links()) {
            nodes.get(l.from()).outflow += l.count();
            nodes.get(l.to()).inflow += l.count();
        }
        return nodes;
    }
}
