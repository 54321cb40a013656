package dev.baton.offline;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Pulls values out of a customer's text: ids, e-mail addresses, amounts, numbers, regions, phrases. */
final class Extract {
    private static final Pattern ID = Pattern.compile("\\b([A-Za-z]{1,6})([-_])([A-Za-z]{0,3}\\d{2,}[A-Za-z0-9]*)\\b");
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    private static final Pattern MONEY = Pattern.compile(
            "(?:\\$|usd\\s?|€|eur\\s?)(\\d[\\d,]*(?:\\.\\d{1,2})?)|(\\d[\\d,]*(?:\\.\\d{1,2})?)\\s?(?:dollars|usd|bucks|euros?)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.$-])(\\d+(?:\\.\\d+)?)(?!\\w)");
    private static final Pattern REGION = Pattern.compile(
            "\\b(?:eu|us|ap|sa|ca|me|af)-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)(?:-\\d)?\\b",
            Pattern.CASE_INSENSITIVE);

    /** Id prefixes a property's name implies when its description gives no example. */
    private static final Map<String, Set<String>> PREFIXES = Map.of(
            "invoice", Set.of("INV"),
            "order", Set.of("ORD", "ORDER"),
            "rma", Set.of("RMA"),
            "serial", Set.of("SN", "SER"),
            "customer", Set.of("C", "CUS", "CUST"),
            "ticket", Set.of("T", "TKT", "TCK", "TICKET"),
            "item", Set.of("ITEM", "SKU"),
            "sku", Set.of("SKU"),
            "account", Set.of("C", "ACC", "ACCT"));

    private Extract() {}

    /** Ids in {@code text} (INV-8821, C-1001, item_132612938), in order. */
    static List<String> ids(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = ID.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The id prefix ("INV" of "INV-8821"), uppercase. */
    static String prefix(String id) {
        Matcher m = ID.matcher(id);
        return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "";
    }

    /**
     * The prefixes acceptable for an id property: those of the ids its description gives as
     * examples, else those its name implies; empty when it says nothing (any id will do).
     */
    static Set<String> prefixesFor(Property p) {
        Set<String> out = new LinkedHashSet<>();
        for (String example : ids(p.description())) {
            out.add(prefix(example));
        }
        if (out.isEmpty()) {
            for (String word : Words.tokens(p.name().replace('_', ' '))) {
                out.addAll(PREFIXES.getOrDefault(word, Set.of()));
            }
        }
        return out;
    }

    /** The first id in {@code text} with one of {@code prefixes} (any id when empty), or null. */
    static @Nullable String id(String text, Set<String> prefixes) {
        for (String id : ids(text)) {
            if (prefixes.isEmpty() || prefixes.contains(prefix(id))) {
                return id;
            }
        }
        return null;
    }

    static @Nullable String email(String text) {
        Matcher m = EMAIL.matcher(text);
        return m.find() ? m.group() : null;
    }

    /** The first amount of money ($450, 450 dollars, USD 99.50), or null. */
    static @Nullable BigDecimal money(String text) {
        Matcher m = MONEY.matcher(text);
        if (!m.find()) {
            return null;
        }
        String digits = (m.group(1) != null ? m.group(1) : m.group(2)).replace(",", "");
        return new BigDecimal(digits);
    }

    /** The first plain number that is not part of an id, an amount or an e-mail address, or null. */
    static @Nullable BigDecimal number(String text) {
        String plain = MONEY.matcher(EMAIL.matcher(ID.matcher(text).replaceAll(" ")).replaceAll(" ")).replaceAll(" ");
        Matcher m = NUMBER.matcher(plain);
        return m.find() ? new BigDecimal(m.group(1)) : null;
    }

    /** The first cloud-style region code (eu-west, us-east-1), lowercase, or null. */
    static @Nullable String region(String text) {
        Matcher m = REGION.matcher(text);
        return m.find() ? m.group().toLowerCase(Locale.ROOT) : null;
    }

    /** The text as one trimmed line of at most 200 characters. */
    static String sentence(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z0-9\"'(])");
    private static final Pattern GREETING = Pattern.compile("^(hi|hello|hey|dear \\w+|good (morning|afternoon|evening))\\b[\\s,!.:-]*",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern REQUEST = Pattern.compile(
            "^(please|can|could|would|will|may|i need|i want|i'd like|i would like|we need|we want|we'd like|let me|"
                    + "thanks|thank you)\\b", Pattern.CASE_INSENSITIVE);

    /**
     * The sentence of {@code text} that states the problem, for free-text arguments such as a reason:
     * greetings are dropped, and of several sentences the one with the most problem words (topic
     * words, ids, amounts) wins, requests and questions ("Can I get a refund?") counting less.
     * A single sentence is kept whole; at most 200 characters.
     */
    static String problem(String text) {
        String whole = sentence(text);
        List<String> sentences = new ArrayList<>();
        for (String s : SENTENCE_END.split(whole)) {
            String t = GREETING.matcher(s.strip()).replaceFirst("").strip();
            if (!t.isEmpty() && !Words.contentWords(t).isEmpty()) {
                sentences.add(Character.toUpperCase(t.charAt(0)) + t.substring(1));
            }
        }
        if (sentences.isEmpty()) {
            return whole;
        }
        String best = sentences.get(0);
        int bestScore = Integer.MIN_VALUE;
        for (String s : sentences) {
            int score = ids(s).size() + (money(s) != null ? 1 : 0);
            for (String w : Words.contentWords(s)) {
                score += Words.isTopicWord(w) ? 2 : 0;
            }
            if (s.endsWith("?") || REQUEST.matcher(s).find()) {
                score -= 3;
            }
            if (score > bestScore) {
                best = s;
                bestScore = score;
            }
        }
        return sentences.size() == 1 ? whole : best;
    }

    /**
     * The words that name a thing: the content words of {@code text} that are neither ids, numbers
     * nor problem words from the topic table ("my black boot's sole came off" gives "black boot
     * sole came"). Empty when nothing is left.
     */
    static String phrase(String text) {
        String plain = MONEY.matcher(EMAIL.matcher(ID.matcher(text).replaceAll(" ")).replaceAll(" ")).replaceAll(" ");
        List<String> words = new ArrayList<>();
        for (String word : Words.contentWords(plain)) {
            if (!Words.isTopicWord(word)) {
                words.add(word);
            }
        }
        return String.join(" ", words);
    }
}
