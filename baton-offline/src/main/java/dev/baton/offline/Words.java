package dev.baton.offline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the offline model reads words: lowercase tokens, light stemming (plurals, -ing, -ed, a final
 * e), a stop list, and a small table of topics that lets "charged" meet "invoice" (both billing).
 * The table is deliberately short; docs/offline-model.md lists it.
 */
final class Words {

    /** Words that carry no topic: function words and the boilerplate of handoff descriptions. */
    private static final Set<String> STOP = Set.of(
            "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
            "before", "being", "but", "by", "can", "could", "did", "do", "does", "done", "for", "from", "get", "got",
            "had", "has", "have", "he", "her", "here", "hi", "hello", "him", "his", "how", "i", "if", "im", "in",
            "into", "is", "it", "its", "just", "last", "let", "like", "me", "my", "no", "not", "now", "of", "off",
            "on", "one", "only", "or", "our", "out", "over", "please", "should", "so", "some", "than", "thank",
            "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too",
            "up", "us", "use", "used", "very", "want", "was", "we", "were", "what", "when", "where", "which", "while",
            "who", "whom", "why", "will", "with", "would", "yes", "you", "your", "t", "s", "d", "ll", "re", "ve",
            "don", "didn", "doesn", "isn", "wasn", "won", "cant", "dont", "hand", "conversation", "agent", "takes",
            "take", "call", "specialist", "user", "customer", "anything", "related", "e", "g", "eg", "id", "ids", "help",
            "need", "make", "know", "think", "try", "tried", "keep", "still", "today", "yesterday", "week", "month",
            "ago", "since", "morning", "actually", "lot", "bit", "good", "great", "ok", "okay");

    /**
     * Topics: a stem belongs to the topics listed for it. Two words share a topic when a customer
     * would use them for the same kind of problem.
     */
    private static final Map<String, Set<String>> TOPICS = topics(Map.of(
            "billing", List.of("bill", "billing", "charge", "charged", "overcharged", "invoice", "refund", "payment",
                    "pay", "paid", "receipt", "money", "credit", "card", "twice", "duplicate"),
            "technical", List.of("login", "log", "logging", "signin", "password", "outage", "error", "down", "crash",
                    "bug", "api", "slow", "timeout", "unavailable", "access", "service", "status", "reset", "locked"),
            "account", List.of("account", "plan", "upgrade", "downgrade", "cancel", "cancellation", "export", "data",
                    "settings", "seat", "subscription", "close", "profile"),
            "sales", List.of("buy", "purchase", "order", "quote", "price", "pricing", "discount", "shop", "sell"),
            "repair", List.of("broken", "broke", "break", "repair", "fix", "return", "replace", "replacement",
                    "warranty", "defect", "defective", "damaged", "faulty", "rma", "died", "dead", "crack", "cracked",
                    "issue", "problem", "stopped", "leak", "sole", "small", "big", "large", "tight", "loose", "fit",
                    "torn", "ripped", "scratched", "stuck", "noisy", "wobble", "wobbly"),
            "human", List.of("human", "person", "someone", "representative", "manager", "operator", "speak", "talk",
                    "real", "escalate", "escalation", "supervisor", "complaint"),
            "product", List.of("feature", "setting", "configure", "setup", "manual", "instructions", "guide",
                    "brightness", "display", "firmware", "pair", "connect", "bluetooth", "how-to"),
            "urgent", List.of("urgent", "asap", "immediately", "emergency", "critical", "safety", "smoke", "fire",
                    "dead", "died", "outage", "sparks", "hot", "burning")));

    /** "log in", "sign in", "log on" are one word each, so they meet "login" and "signin". */
    private static final java.util.regex.Pattern PHRASAL = java.util.regex.Pattern.compile("\\b(log|sign)[\\s-]+(in|on)\\b");

    private Words() {}

    private static Map<String, Set<String>> topics(Map<String, List<String>> byTopic) {
        Map<String, Set<String>> out = new java.util.HashMap<>();
        byTopic.forEach((topic, words) -> {
            for (String w : words) {
                out.computeIfAbsent(stem(w), k -> new LinkedHashSet<>()).add(topic);
            }
        });
        out.replaceAll((k, v) -> Set.copyOf(v));
        return Map.copyOf(out);
    }

    /** Lowercase words of {@code text}; snake_case and hyphens split; numbers and one-letter words dropped. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        String joined = PHRASAL.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("$1$2");
        for (String raw : joined.split("[^a-z0-9]+")) {
            if (raw.length() > 1 && !raw.chars().allMatch(Character::isDigit)) {
                out.add(raw);
            }
        }
        return out;
    }

    /** The stems of the topic-bearing words of {@code text}, in order, without repeats. */
    static List<String> contentStems(String text) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String token : tokens(text)) {
            if (!STOP.contains(token)) {
                out.add(stem(token));
            }
        }
        return List.copyOf(out);
    }

    /** The content words of {@code text} as written (lowercase), in order, without repeats. */
    static List<String> contentWords(String text) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String token : tokens(text)) {
            if (!STOP.contains(token)) {
                out.add(token);
            }
        }
        return List.copyOf(out);
    }

    /** The topics of a stem; empty for words outside the table. */
    static Set<String> topicsOf(String stem) {
        return TOPICS.getOrDefault(stem, Set.of());
    }

    /** True when the word is in the topic table (a word about the problem rather than the thing). */
    static boolean isTopicWord(String word) {
        return TOPICS.containsKey(stem(word));
    }

    /**
     * A light stemmer: "invoices", "charged", "charging" and "charge" all become "charg". Only
     * suffixes common in support messages are handled; the point is agreement, not linguistics.
     */
    static String stem(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (w.length() > 4 && w.endsWith("ies")) {
            w = w.substring(0, w.length() - 3) + "y";
        } else if (w.length() > 5 && w.endsWith("ing")) {
            w = w.substring(0, w.length() - 3);
        } else if (w.length() > 4 && w.endsWith("ed")) {
            w = w.substring(0, w.length() - 2);
        } else if (w.length() > 4 && w.endsWith("es") && "sxzh".indexOf(w.charAt(w.length() - 3)) >= 0) {
            w = w.substring(0, w.length() - 2);
        } else if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) {
            w = w.substring(0, w.length() - 1);
        }
        if (w.length() > 4 && w.endsWith("e")) {
            w = w.substring(0, w.length() - 1);
        }
        int n = w.length();
        if (n > 3 && w.charAt(n - 1) == w.charAt(n - 2) && "aeiou".indexOf(w.charAt(n - 1)) < 0) {
            w = w.substring(0, n - 1);
        }
        return w;
    }

    /**
     * How well {@code query} (a customer's words) matches {@code target} (a description and a name):
     * 2 for each query word whose stem appears in the target, 1 for each that only shares a topic.
     */
    static Match match(String query, String target) {
        List<String> targetStems = contentStems(target);
        Set<String> targetTopics = new LinkedHashSet<>();
        for (String s : targetStems) {
            targetTopics.addAll(topicsOf(s));
        }
        int score = 0;
        int literal = 0;
        List<String> matched = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String token : tokens(query)) {
            if (STOP.contains(token) || !seen.add(stem(token))) {
                continue;
            }
            String s = stem(token);
            if (targetStems.contains(s)) {
                score += 2;
                literal++;
                matched.add(token);
            } else if (topicsOf(s).stream().anyMatch(targetTopics::contains)) {
                score += 1;
                matched.add(token);
            }
        }
        return new Match(score, literal, List.copyOf(matched));
    }

    /** A match score, how many query words appear in the target as such, and the words that scored. */
    record Match(int score, int literal, List<String> words) {

        String quoted() {
            return words.stream().map(w -> "'" + w + "'").reduce((a, b) -> a + ", " + b).orElse("nothing");
        }
    }
}
