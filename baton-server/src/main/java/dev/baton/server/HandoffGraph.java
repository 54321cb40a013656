package dev.baton.server;

import static dev.baton.server.Html.esc;
import static dev.baton.server.Svg.num;

import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run page's drawing of its desk's handoff graph: the agents in columns by their distance
 * from the entry agent (the entry on the left), each handoff an arrow, forward ones as curves to
 * the next columns and the others looping over or under the agents; the handoffs the run took
 * drawn thicker and coloured, numbered by the step of the run's path they were, and the agents it
 * went through marked. The run page keeps the list of edges under it for reading.
 */
final class HandoffGraph {
    private static final int NODE_WIDTH = 150;
    private static final int NODE_HEIGHT = 36;
    private static final int COLUMN = 220;
    private static final int ROW = 60;
    private static final int MARGIN = 20;
    private static final int LOOP_ROOM = 50;

    private HandoffGraph() {}

    private record Node(String name, int column, int row) {
        double x() {
            return MARGIN + column * COLUMN;
        }
    }

    /** The desk's graph with {@code path} (the agents the run went through, in order) drawn on it. */
    static String svg(Desks.Desk desk, List<String> path) {
        Map<String, Node> nodes = layout(desk);
        Map<Integer, Integer> perColumn = new LinkedHashMap<>();
        nodes.values().forEach(n -> perColumn.merge(n.column(), 1, Integer::sum));
        int columns = perColumn.size();
        int rows = perColumn.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        int width = 2 * MARGIN + (columns - 1) * COLUMN + NODE_WIDTH;
        boolean over = false;
        boolean under = false;
        for (Agent<?> agent : desk.agents().values()) {
            for (Handoff<?, ?> h : agent.handoffs()) {
                Node from = nodes.get(agent.name());
                Node to = nodes.get(h.targetName());
                if (to != null && !to.equals(from) && to.column() <= from.column()) {
                    over |= goesOver(from, to);
                    under |= !goesOver(from, to);
                }
            }
        }
        double top = MARGIN + (over ? LOOP_ROOM : 0);
        double bottom = top + (rows - 1) * ROW + NODE_HEIGHT;
        int height = (int) Math.ceil(bottom) + MARGIN + (under ? LOOP_ROOM : 0);
        Geometry g = new Geometry(perColumn, rows, top, bottom);

        Map<String, List<Integer>> steps = new LinkedHashMap<>();
        for (int i = 1; i < path.size(); i++) {
            steps.computeIfAbsent(path.get(i - 1) + "\u0000" + path.get(i), k -> new ArrayList<>()).add(i);
        }
        Set<String> visited = new LinkedHashSet<>(path);

        StringBuilder b = new StringBuilder(Svg.open("handoff-graph", "handoff-graph", width, height,
                "Handoff graph of desk " + desk.name(),
                "Agents of the desk in columns from the entry agent " + desk.entry().name() + "; this run went "
                        + String.join(" → ", path) + "."));
        b.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
                + "orient=\"auto-start-reverse\"><path class=\"arrow-head\" d=\"M0,0 L10,5 L0,10 z\"/></marker>"
                + "<marker id=\"arrow-on-path\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" "
                + "orient=\"auto-start-reverse\"><path class=\"arrow-head on-path\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n");
        StringBuilder labels = new StringBuilder();
        for (Agent<?> agent : desk.agents().values()) {
            for (Handoff<?, ?> h : agent.handoffs()) {
                Node from = nodes.get(agent.name());
                Node to = nodes.get(h.targetName());
                if (to == null) {
                    continue;
                }
                double[] c = g.curve(from, to);
                List<Integer> taken = steps.getOrDefault(agent.name() + "\u0000" + h.targetName(), List.of());
                boolean onPath = !taken.isEmpty();
                String edge = agent.name() + " → " + h.targetName();
                b.append("<path class=\"edge").append(onPath ? " on-path" : "").append("\" d=\"M").append(num(c[0])).append(',')
                        .append(num(c[1])).append(" C").append(num(c[2])).append(',').append(num(c[3])).append(' ').append(num(c[4]))
                        .append(',').append(num(c[5])).append(' ').append(num(c[6])).append(',').append(num(c[7]))
                        .append("\" marker-end=\"url(#").append(onPath ? "arrow-on-path" : "arrow").append(")\"><title>")
                        .append(esc(edge + (onPath ? " (this run, step " + join(taken) + ")" : ""))).append("</title></path>\n");
                if (onPath) {
                    // The middle of the cubic curve: (P0 + 3 P1 + 3 P2 + P3) / 8.
                    double mx = (c[0] + 3 * c[2] + 3 * c[4] + c[6]) / 8;
                    double my = (c[1] + 3 * c[3] + 3 * c[5] + c[7]) / 8;
                    String n = join(taken);
                    labels.append("<g class=\"step\"><circle cx=\"").append(num(mx)).append("\" cy=\"").append(num(my))
                            .append("\" r=\"").append(n.length() > 2 ? 14 : 10).append("\"/>")
                            .append(Svg.text(mx, my + 4, "step-number", "middle", n).stripTrailing()).append("</g>\n");
                }
            }
        }
        for (Node n : nodes.values()) {
            double x = n.x();
            double y = g.y(n);
            boolean entry = n.name().equals(desk.entry().name());
            b.append("<g class=\"node").append(visited.contains(n.name()) ? " on-path" : "").append(entry ? " entry" : "")
                    .append("\"><title>").append(esc(n.name() + (entry ? " (entry agent)" : ""))).append("</title><rect x=\"")
                    .append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"").append(NODE_WIDTH).append("\" height=\"")
                    .append(NODE_HEIGHT).append("\" rx=\"6\"/>\n")
                    .append(Svg.text(x + NODE_WIDTH / 2.0, y + NODE_HEIGHT / 2.0 + 5, "name", "middle", Svg.fit(n.name(), 20)))
                    .append("</g>\n");
        }
        return b.append(labels).append("</svg>\n").toString();
    }

    /** Columns by breadth-first distance from the entry agent; rows in the order agents are reached. */
    private static Map<String, Node> layout(Desks.Desk desk) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<Integer, Integer> rows = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(desk.entry().name()));
        nodes.put(desk.entry().name(), new Node(desk.entry().name(), 0, 0));
        rows.put(0, 1);
        while (!queue.isEmpty()) {
            Node from = nodes.get(queue.poll());
            Agent<?> agent = desk.agents().get(from.name());
            if (agent == null) {
                continue;
            }
            for (Handoff<?, ?> h : agent.handoffs()) {
                if (!nodes.containsKey(h.targetName()) && desk.agents().containsKey(h.targetName())) {
                    int column = from.column() + 1;
                    int row = rows.merge(column, 1, Integer::sum) - 1;
                    nodes.put(h.targetName(), new Node(h.targetName(), column, row));
                    queue.add(h.targetName());
                }
            }
        }
        int last = rows.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        for (String name : desk.agents().keySet()) {
            if (!nodes.containsKey(name)) {
                nodes.put(name, new Node(name, last, rows.merge(last, 1, Integer::sum) - 1));
            }
        }
        return nodes;
    }

    /** A handoff back (or within a column) between the topmost agents of their columns loops over them, any other under all. */
    private static boolean goesOver(Node from, Node to) {
        return from.row() == 0 && to.row() == 0;
    }

    /**
     * Where things are: the agents' columns and rows from {@code top}, the lowest agent ending at
     * {@code bottom}, and the room for loops over {@code top} and under {@code bottom}.
     */
    private record Geometry(Map<Integer, Integer> perColumn, int rows, double top, double bottom) {

        /** The top of a node, its column centred on the tallest column. */
        double y(Node n) {
            int inColumn = perColumn.get(n.column());
            return top + n.row() * ROW + (rows - inColumn) * ROW / 2.0;
        }

        /** The cubic curve of a handoff: forward from the right side to the left side; otherwise a loop over or under the agents. */
        double[] curve(Node from, Node to) {
            double fromY = y(from);
            double toY = y(to);
            if (from.equals(to)) {
                double x = from.x() + NODE_WIDTH;
                double y = fromY + NODE_HEIGHT / 2.0;
                return new double[] {x - 20, fromY, x + 10, fromY - 30, x + 40, y, x, y + 6};
            }
            if (to.column() > from.column()) {
                double x1 = from.x() + NODE_WIDTH;
                double y1 = fromY + NODE_HEIGHT / 2.0;
                double x2 = to.x();
                double y2 = toY + NODE_HEIGHT / 2.0;
                double mid = (x2 - x1) / 2;
                return new double[] {x1, y1, x1 + mid, y1, x2 - mid, y2, x2, y2};
            }
            boolean over = goesOver(from, to);
            double x1 = from.x() + NODE_WIDTH / 2.0 - 15;
            double y1 = over ? fromY : fromY + NODE_HEIGHT;
            double x2 = to.x() + NODE_WIDTH / 2.0 + 15;
            double y2 = over ? toY : toY + NODE_HEIGHT;
            // The curve's middle, (y1 + 6 c + y2) / 8 with both control points at c, lies inside the loop room.
            double middle = over ? top - LOOP_ROOM + 12 : bottom + LOOP_ROOM - 12;
            double c = (middle - (y1 + y2) / 8) / 0.75;
            return new double[] {x1, y1, x1, c, x2, c, x2, y2};
        }
    }

    private static String join(List<Integer> steps) {
        return String.join(", ", steps.stream().map(String::valueOf).toList());
    }
}
