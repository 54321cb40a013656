package dev.baton.offline;

import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The sentences the offline model writes: questions for missing values and plain replies (answers to results: {@link Replies}). */
final class Texts {
    private Texts() {}

    /** "To fetch an invoice by id I need the invoice id, e.g. INV-1234." */
    static String question(ToolSpec tool, List<Property> missing) {
        List<String> needs = new ArrayList<>();
        for (Property p : missing) {
            String d = toCustomer(lowerFirst(stripPeriod(p.description())));
            needs.add(p.description().isBlank() ? "the " + words(p.name()) : WH.matcher(d).find() ? "to know " + d : d);
        }
        return "To " + action(tool) + " I need " + joinAnd(needs) + ".";
    }

    private static final java.util.regex.Pattern WH = java.util.regex.Pattern.compile("^(why|what|which|how|when|where|who)\\b");

    /** A description addressed to the customer: "why the customer wants a refund" becomes "why you want a refund". */
    static String toCustomer(String description) {
        return description.replaceAll("\\b[Tt]he customer's\\b", "your").replaceAll("\\b[Tt]he customer\\b", "you")
                .replaceAll("\\byou (want|need|like|prefer|expect|ha)(s)\\b", "you $1")
                .replace("you is ", "you are ").replace("you was ", "you were ").replace("you ha ", "you have ");
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

    /** snake_case and camelCase as lowercase words. */
    static String words(String name) {
        return name.replaceAll("([a-z])([A-Z])", "$1 $2").replace('_', ' ').replace('-', ' ').strip().toLowerCase(Locale.ROOT);
    }

    static String lowerFirst(String s) {
        if (s.length() > 1 && (Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1)) || s.startsWith("A "))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    private static String stripPeriod(String s) {
        String t = s.strip();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    static String joinAnd(List<String> parts) {
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
