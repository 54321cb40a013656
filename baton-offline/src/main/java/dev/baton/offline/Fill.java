package dev.baton.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Arguments for a JSON schema, filled from the conversation. Each property is looked for, in
 * order: in the results of tools called this turn (a field of the same name), then in the
 * customer's messages, latest first, with the extractor its name, description and type call for.
 *
 * @param arguments the filled object
 * @param missing the required properties no value was found for
 * @param notes where each value came from, for explanations
 * @param specific whether a value was found in the latest message by a precise extractor (an id,
 *     an amount, an e-mail address, a region, an enum value); free text does not count
 */
record Fill(ObjectNode arguments, List<Property> missing, List<String> notes, boolean specific) {

    boolean complete() {
        return missing.isEmpty();
    }

    /**
     * Arguments for a tool: required properties with no value are reported missing. {@code toolText}
     * (its name and description) tells a reason apart from a request for the tool itself: "I want a
     * refund" is no reason for {@code execute_refund}.
     */
    static Fill forTool(JsonNode schema, Turn turn, String toolText) {
        return new Filler(turn, false, toolText).fill(schema, schema);
    }

    /** Arguments for a tool known only by its schema. */
    static Fill forTool(JsonNode schema, Turn turn) {
        return forTool(schema, turn, "");
    }

    /** A structured answer: every property gets a value, a neutral one where the text gives none. */
    static Fill forAnswer(JsonNode schema, Turn turn) {
        return new Filler(turn, true, "").fill(schema, schema);
    }

    /** Topics of words that state a problem (as opposed to a wish, a thing or a person). */
    private static final Set<String> PROBLEM_TOPICS = Set.of("repair", "technical", "urgent", "billing", "account");

    /**
     * Whether {@code message} states a problem: it has a word of a problem topic (broken, too small,
     * charged twice, outage) that is not a word of the tool itself ("refund" for a refund tool).
     */
    static boolean statesProblem(String message, String toolText) {
        Set<String> own = new HashSet<>(Words.contentStems(toolText.replace('_', ' ')));
        for (String stem : Words.contentStems(message)) {
            if (!own.contains(stem) && Words.topicsOf(stem).stream().anyMatch(PROBLEM_TOPICS::contains)) {
                return true;
            }
        }
        return false;
    }

    private static final class Filler {
        private final Turn turn;
        private final boolean answer;
        private final String toolText;
        private final List<Property> missing = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private boolean specific;

        Filler(Turn turn, boolean answer, String toolText) {
            this.turn = turn;
            this.answer = answer;
            this.toolText = toolText;
        }

        Fill fill(JsonNode schema, JsonNode root) {
            ObjectNode out = object(schema, root);
            return new Fill(out, List.copyOf(missing), List.copyOf(notes), specific);
        }

        private ObjectNode object(JsonNode schema, JsonNode root) {
            ObjectNode out = Json.object();
            for (Property p : Property.of(schema, root)) {
                JsonNode value = fromResults(p);
                if (value != null) {
                    notes.add(p.name() + " from a tool result");
                } else {
                    value = fromText(p, root);
                    if (value == null) {
                        value = amountFromResults(p);
                    }
                }
                if (value != null) {
                    out.set(p.name(), value);
                } else if (p.optional()) {
                    out.putNull(p.name());
                } else if (answer) {
                    out.set(p.name(), neutral(p, root));
                } else {
                    missing.add(p);
                }
            }
            return out;
        }

        /** A field of the same name in this turn's tool results, latest first. */
        private @Nullable JsonNode fromResults(Property p) {
            List<Turn.Result> results = turn.results();
            for (int i = results.size() - 1; i >= 0; i--) {
                JsonNode node = Json.parse(results.get(i).output());
                JsonNode found = node == null ? null : field(node, p.name(), 0);
                if (found != null && fits(found, p)) {
                    return found;
                }

            }
            return null;
        }

        /**
         * A number property filled from an amount written as text in this turn's results ("$99.00"),
         * when the customer named no amount: their own figure wins over the record's.
         */
        private @Nullable JsonNode amountFromResults(Property p) {
            if (!p.type().equals("number") && !p.type().equals("integer")) {
                return null;
            }
            List<Turn.Result> results = turn.results();
            for (int i = results.size() - 1; i >= 0; i--) {
                JsonNode node = Json.parse(results.get(i).output());
                JsonNode found = node == null ? null : field(node, p.name(), 0);
                BigDecimal money = found == null || !found.isTextual() ? null : Extract.money(found.asText());
                if (money != null) {
                    notes.add(p.name() + " from an amount in a tool result");
                    return p.type().equals("integer")
                            ? Json.MAPPER.getNodeFactory().numberNode(money.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact())
                            : Json.MAPPER.getNodeFactory().numberNode(money);
                }
            }
            return null;
        }

        private static @Nullable JsonNode field(JsonNode node, String name, int depth) {
            if (node.isArray()) {
                return node.isEmpty() || depth > 1 ? null : field(node.get(0), name, depth + 1);
            }
            if (!node.isObject()) {
                return null;
            }
            String compact = name.replace("_", "").toLowerCase(Locale.ROOT);
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                if (f.getKey().replace("_", "").toLowerCase(Locale.ROOT).equals(compact) && f.getValue().isValueNode()
                        && !f.getValue().isNull()) {
                    return f.getValue();
                }
            }
            if (depth < 1) {
                fields = node.fields();
                while (fields.hasNext()) {
                    JsonNode inner = field(fields.next().getValue(), name, depth + 1);
                    if (inner != null) {
                        return inner;
                    }
                }
            }
            return null;
        }

        private static boolean fits(JsonNode value, Property p) {
            return switch (p.type()) {
                case "integer", "number" -> value.isNumber() || value.asText().matches("-?\\d+(\\.\\d+)?");
                case "boolean" -> value.isBoolean();
                case "string" -> p.enumValues().isEmpty() || p.enumValues().contains(value.asText());
                default -> false;
            };
        }

        private @Nullable JsonNode fromText(Property p, JsonNode root) {
            if (!p.enumValues().isEmpty()) {
                String value = enumValue(p);
                return value == null ? null : Json.MAPPER.getNodeFactory().textNode(value);
            }
            switch (p.type()) {
                case "integer", "number" -> {
                    boolean money = p.hints("amount", "price", "total", "cost", "usd", "dollars", "refund", "sum", "fee");
                    for (int i = 0; i < turn.userMessages().size(); i++) {
                        BigDecimal n = money ? Extract.money(turn.userMessages().get(i)) : Extract.number(turn.userMessages().get(i));
                        if (n != null) {
                            found(p, money ? "an amount" : "a number", i);
                            return p.type().equals("integer")
                                    ? Json.MAPPER.getNodeFactory().numberNode(n.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact())
                                    : Json.MAPPER.getNodeFactory().numberNode(n);
                        }
                    }
                    return null;
                }
                case "boolean" -> {
                    boolean mentioned = !java.util.Collections.disjoint(Words.contentStems(p.name().replace('_', ' ')),
                            Words.contentStems(turn.latestUser()));
                    return answer || mentioned ? Json.MAPPER.getNodeFactory().booleanNode(mentioned) : null;
                }
                case "object" -> {
                    return answer ? object(p.schema(), root) : null;
                }
                case "array" -> {
                    return answer ? Json.MAPPER.createArrayNode() : null;
                }
                default -> {
                    String text = string(p);
                    return text == null ? null : Json.MAPPER.getNodeFactory().textNode(text);
                }
            }
        }

        private @Nullable String string(Property p) {
            List<String> messages = turn.userMessages();
            boolean email = p.hints("email", "mail");
            boolean idLike = p.name().toLowerCase(Locale.ROOT).endsWith("id") || p.hints("id", "number", "serial", "sku")
                    || !Extract.ids(p.description()).isEmpty() || !Extract.prefixesFor(p).isEmpty();
            if (idLike) {
                Set<String> prefixes = Extract.prefixesFor(p);
                for (int i = 0; i < messages.size(); i++) {
                    String id = Extract.id(messages.get(i), prefixes);
                    if (id != null) {
                        found(p, "an id", i);
                        return id;
                    }
                }
            }
            if (email) {
                for (int i = 0; i < messages.size(); i++) {
                    String address = Extract.email(messages.get(i));
                    if (address != null) {
                        found(p, "an e-mail address", i);
                        return address;
                    }
                }
            }
            if (idLike || email) {
                return null;
            }
            if (p.hints("region", "zone", "datacenter", "location")) {
                for (int i = 0; i < messages.size(); i++) {
                    String region = Extract.region(messages.get(i));
                    if (region != null) {
                        found(p, "a region", i);
                        return region;
                    }
                }
                return null;
            }
            if (turn.latestUser().isBlank()) {
                return null;
            }
            if (p.hints("query", "search", "keywords", "product", "item", "name", "model", "title", "device")) {
                for (String message : messages) {
                    String phrase = Extract.phrase(message);
                    if (!phrase.isEmpty()) {
                        notes.add(p.name() + " from the words '" + phrase + "'");
                        return phrase;
                    }
                }
                return null; // filler such as "I want a refund" names no thing: ask rather than search for it
            }
            if (!answer && p.hints("reason", "why", "fault", "problem", "issue", "symptom", "symptoms", "complaint")) {
                // A reason is a message that states a problem, the latest such; a bare request is none.
                for (int i = 0; i < messages.size(); i++) {
                    if (statesProblem(messages.get(i), toolText)) {
                        notes.add(p.name() + " from the problem the customer stated" + (i == 0 ? "" : " in an earlier message"));
                        return Extract.problem(messages.get(i));
                    }
                }
                return null;
            }
            if (p.hints("reason", "summary", "description", "message", "issue", "problem", "details", "note", "comment",
                    "explanation", "complaint", "question", "text", "symptom", "symptoms")) {
                notes.add(p.name() + " from the customer's message");
                return Extract.problem(turn.latestUser());
            }
            return null;
        }

        private void found(Property p, String what, int messageIndex) {
            notes.add(p.name() + " from " + what + (messageIndex == 0 ? " in the latest message" : " in an earlier message"));
            if (messageIndex == 0) {
                specific = true;
            }
        }

        /** The enum value the customer's words point at, latest message first; null when none does. */
        private @Nullable String enumValue(Property p) {
            List<String> messages = turn.userMessages();
            for (int i = 0; i < messages.size(); i++) {
                String best = null;
                int bestScore = 0;
                for (String value : p.enumValues()) {
                    int score = enumScore(value, p.description(), messages.get(i));
                    if (score > bestScore) {
                        best = value;
                        bestScore = score;
                    }
                }
                if (best != null) {
                    found(p, "the enum value '" + best + "'", i);
                    return best;
                }
            }
            return null;
        }

        /**
         * How strongly {@code text} points at an enum value: 2 for each of the value's own words and of
         * the keywords its description gives for it ("HIGH (urgent, outage)"), 1 for a shared topic.
         */
        static int enumScore(String value, String description, String text) {
            Set<String> stems = new HashSet<>(Words.contentStems(text));
            Set<String> topics = new HashSet<>();
            stems.forEach(s -> topics.addAll(Words.topicsOf(s)));
            int score = 0;
            List<String> keywords = new ArrayList<>(Words.tokens(value.replace('_', ' ')));
            keywords.addAll(Words.tokens(keywordsIn(description, value)));
            Set<String> counted = new HashSet<>();
            for (String keyword : keywords) {
                String s = Words.stem(keyword);
                if (counted.add(s) && stems.contains(s)) {
                    score += 2;
                }
            }
            for (String word : Words.tokens(value.replace('_', ' '))) {
                if (Words.topicsOf(Words.stem(word)).stream().anyMatch(topics::contains)) {
                    score += 1;
                }
            }
            return score;
        }

        /** The words in parentheses after {@code value} in a description: "rma (returns, repairs)". */
        private static String keywordsIn(String description, String value) {
            Matcher m = Pattern.compile("(?i)\\b" + Pattern.quote(value) + "\\b\\s*\\(([^)]*)\\)").matcher(description);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                out.append(m.group(1)).append(' ');
            }
            return out.toString();
        }

        /** The value a structured answer gets when the text says nothing about a property. */
        private JsonNode neutral(Property p, JsonNode root) {
            notes.add(p.name() + " left at a neutral value");
            if (!p.enumValues().isEmpty()) {
                JsonNode def = p.schema().get("default");
                return def != null ? def : Json.MAPPER.getNodeFactory().textNode(p.enumValues().get(0));
            }
            return switch (p.type()) {
                case "integer", "number" -> Json.MAPPER.getNodeFactory().numberNode(0);
                case "boolean" -> Json.MAPPER.getNodeFactory().booleanNode(false);
                case "array" -> Json.MAPPER.createArrayNode();
                case "object" -> object(p.schema(), root);
                default -> Json.MAPPER.getNodeFactory().textNode("");
            };
        }
    }
}
