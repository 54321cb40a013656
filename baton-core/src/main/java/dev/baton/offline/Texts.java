package dev.baton.offline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ToolSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The sentences the offline model writes: result summaries, questions for missing values, plain replies. */
final class Texts {
    private static final int MAX_FIELDS = 8;
    private static final int MAX_ELEMENTS = 5;

    private Texts() {}

    /** One sentence per tool result of the turn: what was called, for which ids, and what came back. */
    static String summary(List<Turn.Result> results) {
        List<String> sentences = new ArrayList<>();
        for (Turn.Result r : results) {
            Set<String> ids = new LinkedHashSet<>(Extract.ids(r.call().arguments()));
            String email = Extract.email(r.call().arguments());
            if (email != null) {
                ids.add(email);
            }
            String head = title(r.call().name()) + (ids.isEmpty() ? "" : " for " + String.join(", ", ids));
            sentences.add(head + ": " + describe(r.output()) + ".");
        }
        return String.join(" ", sentences);
    }

    /** A tool's output in words: JSON fields as "name value" pairs, lists by their elements, text as is. */
    static String describe(String output) {
        JsonNode node = Json.parse(output);
        String text;
        if (node == null) {
            text = output.strip();
            if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
                text = text.substring(1, text.length() - 1);
            }
        } else {
            text = value(node, 0);
        }
        text = text.length() > 400 ? text.substring(0, 397) + "..." : text;
        while (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return text.isBlank() ? "done, with nothing to report" : text;
    }

    private static String value(JsonNode node, int depth) {
        if (node.isValueNode()) {
            return node.asText();
        }
        if (node.isArray()) {
            if (node.isEmpty()) {
                return "none";
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Math.min(node.size(), MAX_ELEMENTS); i++) {
                parts.add(depth > 1 ? "…" : value(node.get(i), depth + 1));
            }
            String more = node.size() > MAX_ELEMENTS ? "; and " + (node.size() - MAX_ELEMENTS) + " more" : "";
            return node.size() + (node.size() == 1 ? " entry (" : " entries (") + String.join("; ", parts) + more + ")";
        }
        List<String> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext() && parts.size() < MAX_FIELDS) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isNull()) {
                continue;
            }
            String name = words(f.getKey());
            parts.add(f.getValue().isContainerNode() && depth > 1 ? name + " …" : name + " " + value(f.getValue(), depth + 1));
        }
        return String.join(", ", parts);
    }

    /** "To fetch an invoice by id I need the invoice id, e.g. INV-1234." */
    static String question(ToolSpec tool, List<Property> missing) {
        List<String> needs = new ArrayList<>();
        for (Property p : missing) {
            needs.add(p.description().isBlank() ? "the " + words(p.name()) : lowerFirst(stripPeriod(p.description())));
        }
        return "To " + action(tool) + " I need " + joinAnd(needs) + ".";
    }

    /** A reply when no rule applies: who is answering, and what it can do. */
    static String reply(ModelRequest request, String latestUser) {
        StringBuilder out = new StringBuilder("This is the ").append(words(request.agent())).append('.');
        List<String> can = new ArrayList<>();
        for (ToolSpec t : request.tools()) {
            can.add(action(t));
        }
        if (!can.isEmpty()) {
            out.append(" I can ").append(joinAnd(can)).append('.');
        }
        List<String> others = new ArrayList<>();
        for (HandoffSpec h : request.handoffs()) {
            others.add("the " + words(h.targetAgent()));
        }
        if (!others.isEmpty()) {
            out.append(" I can also pass you to ").append(joinOr(others)).append('.');
        }
        out.append(latestUser.isBlank() ? " How can I help?" : " Tell me a little more, with any order, invoice or customer numbers, and I will take it from there.");
        return out.toString();
    }

    /** What a tool does, as a verb phrase: its description's first sentence, or its name. */
    static String action(ToolSpec tool) {
        String d = tool.description().strip();
        int end = d.indexOf(". ");
        String first = stripPeriod(end > 0 ? d.substring(0, end) : d);
        if (first.isBlank() || first.toLowerCase(Locale.ROOT).startsWith("use ") || first.toLowerCase(Locale.ROOT).startsWith("call ")
                || first.toLowerCase(Locale.ROOT).startsWith("only ")) {
            return words(tool.name());
        }
        return lowerFirst(first);
    }

    static String title(String name) {
        String w = words(name);
        return w.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    /** snake_case and camelCase as lowercase words. */
    static String words(String name) {
        return name.replaceAll("([a-z])([A-Z])", "$1 $2").replace('_', ' ').replace('-', ' ').strip().toLowerCase(Locale.ROOT);
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    private static String stripPeriod(String s) {
        String t = s.strip();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    private static String joinAnd(List<String> parts) {
        return join(parts, " and ");
    }

    private static String joinOr(List<String> parts) {
        return join(parts, " or ");
    }

    private static String join(List<String> parts, String last) {
        if (parts.size() <= 1) {
            return String.join("", parts);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + last + parts.get(parts.size() - 1);
    }
}
