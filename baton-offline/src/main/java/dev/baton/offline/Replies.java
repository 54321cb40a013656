package dev.baton.offline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The offline model's answer after tool results, written like a short human reply: first what the
 * actions of the turn did ("Done: I refunded $99.00 for invoice INV-8821 (refund RF-5001)."), then
 * what went wrong, then a few key facts from the lookups. Everything is derived from the tool's name
 * (verb and object), its arguments and the JSON field names and values of its result; fields that
 * echo the arguments or the customer's own words, and values already said, are left out.
 */
final class Replies {
    /** Facts taken from one result at most (long texts such as a detail or steps come on top). */
    static final int MAX_FACTS = 3;

    /** Verbs that only say "do it": with a noun that is itself a verb, the noun is the action (process_refund: refunded). */
    private static final Set<String> LIGHT_VERBS = Set.of("process", "execute", "perform", "run", "do", "handle", "trigger",
            "initiate", "submit", "issue", "make", "place", "complete", "apply", "start");

    /** Nouns that are also verbs, for {@link #LIGHT_VERBS}. */
    private static final Set<String> VERB_NOUNS = Set.of("refund", "order", "return", "transfer", "charge", "credit",
            "upgrade", "downgrade", "exchange", "repair", "ship", "book", "reserve", "renew", "reset", "cancel", "update",
            "change", "replace", "restart", "retry");

    private static final Map<String, String> IRREGULAR = Map.ofEntries(Map.entry("send", "sent"), Map.entry("reset", "reset"),
            Map.entry("set", "set"), Map.entry("put", "put"), Map.entry("make", "made"), Map.entry("pay", "paid"),
            Map.entry("buy", "bought"), Map.entry("get", "got"), Map.entry("find", "found"), Map.entry("run", "ran"),
            Map.entry("write", "wrote"), Map.entry("take", "took"), Map.entry("give", "gave"), Map.entry("build", "built"),
            Map.entry("shut", "shut"), Map.entry("cut", "cut"), Map.entry("hold", "held"), Map.entry("read", "read"),
            Map.entry("sell", "sold"), Map.entry("tell", "told"), Map.entry("begin", "began"), Map.entry("keep", "kept"),
            Map.entry("leave", "left"), Map.entry("bring", "brought"), Map.entry("submit", "submitted"),
            Map.entry("do", "did"), Map.entry("lock", "locked"), Map.entry("unlock", "unlocked"), Map.entry("add", "added"));

    private static final Set<String> PREPOSITIONS = Set.of("to", "for", "with", "from", "into", "on", "at", "by", "via", "in", "of");

    /** Past participles that, with a preposition, name where an action's result went (sent_to, assigned_to). */
    private static final Set<String> IRREGULAR_PARTICIPLES = Set.of("sent", "made", "paid", "set", "put", "built", "bought",
            "sold", "held", "kept", "left", "found", "given", "taken", "done", "shown", "written", "reset");

    /** Fields that name the thing a result is about: shown next to its id, not as a fact. */
    private static final List<String> THING_FIELDS = List.of("product", "name", "title", "item", "plan_name", "model", "device", "description");

    private static final Set<String> MONEY_FIELDS = Set.of("amount", "price", "total", "cost", "fee", "balance", "sum", "charge",
            "credit", "refund");

    private static final Pattern CURRENCY = Pattern.compile("^[$€£]\\s?\\d|\\d\\s?(usd|eur|gbp|dollars|euros?)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern ZERO_MONEY = Pattern.compile("^[$€£]?\\s?0+(\\.0+)?$");
    private static final Pattern FAILURE = Pattern.compile(
            "^(error\\b|failed\\b|exception\\b)|\\bnot approved\\b|\\bdid not run\\b|\\bwas rejected\\b", Pattern.CASE_INSENSITIVE);

    /** The output of a call a human reviewer rejected (see {@code TurnResolver.rejection}), with the reviewer's message if any. */
    private static final Pattern REJECTED = Pattern.compile(
            "The call was not approved by a human reviewer, so \\S+ did not run\\.(?: The reviewer said: (.*))?", Pattern.DOTALL);

    private Replies() {}

    /** The answer to the tool results of a turn. */
    static String answer(List<Turn.Result> results, List<String> userMessages) {
        Said said = new Said(userMessages);
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> looked = new ArrayList<>();
        for (Turn.Result r : results) {
            if (failed(r.output())) {
                failed.add(failure(r));
            }
        }
        for (Turn.Result r : results) {
            if (!failed(r.output()) && !Rules.isLookup(r.call().name())) {
                done.add(action(r, said, done.isEmpty()));
            }
        }
        for (Turn.Result r : results) {
            if (!failed(r.output()) && Rules.isLookup(r.call().name())) {
                String s = lookup(r, said, !done.isEmpty());
                if (!s.isBlank()) {
                    looked.add(s);
                }
            }
        }
        List<String> all = new ArrayList<>(done);
        all.addAll(failed);
        all.addAll(looked);
        return all.isEmpty() ? "Done." : String.join(" ", all);
    }

    /** Whether a tool's output reports an error or a call that did not run (a rejected approval). */
    static boolean failed(String output) {
        JsonNode node = Json.parse(output);
        if (node != null && node.isObject()) {
            return node.hasNonNull("error");
        }
        String text = node != null && node.isTextual() ? node.asText() : output;
        return FAILURE.matcher(text.strip()).find();
    }

    // ---------------------------------------------------------------------------------------------
    // Sentences

    /** "Done: I refunded $99.00 for invoice INV-8821 (refund RF-5001); the invoice is now partially refunded." */
    private static String action(Turn.Result r, Said said, boolean first) {
        Name name = Name.of(r.call().name());
        Fields f = Fields.of(r, said);
        StringBuilder s = new StringBuilder(first ? "Done: I " : "I also ");
        String own = f.ownId(name);
        String thing = f.thing();
        String amount = f.amount();
        boolean amountUsed = false;
        boolean thingUsed = false;
        boolean ownUsed = false;
        if (name.verbNoun()) {
            s.append(past(name.object()));
            if (amount != null && CURRENCY.matcher(amount).find()) {
                s.append(' ').append(amount);
                amountUsed = true;
            } else if (thing != null) {
                s.append(' ').append(thing);
                thingUsed = true;
            }
        } else {
            s.append(past(name.verb()));
            if (name.object().isEmpty()) {
                s.append(" it");
            } else if (PREPOSITIONS.contains(name.object().split(" ")[0])) {
                s.append(" this ").append(name.object());
            } else if (own != null && f.ownIdNamesObject(name)) {
                s.append(' ').append(label(name.object(), own));
                ownUsed = true;
            } else {
                s.append(" the ").append(name.object());
            }
        }
        List<String> targets = f.targets();
        List<String> extra = new ArrayList<>();
        if (thingUsed) {
            extra.addAll(targets);
        } else if (!targets.isEmpty()) {
            boolean direct = name.verbNoun() && !amountUsed;
            s.append(direct ? " " : " for ").append(Texts.joinAnd(targets));
        }
        if (thing != null && !thingUsed) {
            extra.add(thing);
        }
        if (own != null && !ownUsed) {
            extra.add(label(f.ownIdLabel(name), own));
        }
        if (!extra.isEmpty()) {
            s.append(" (").append(String.join(", ", extra)).append(')');
        }
        String delivered = f.delivery(said);
        if (delivered != null) {
            s.append(" and ").append(delivered);
        }
        said.add(amountUsed ? amount : null);
        said.add(thing);
        said.add(own);
        List<String> facts = f.facts(said, true, amountUsed ? Set.of(f.amountField()) : Set.of(), false);
        if (!facts.isEmpty()) {
            s.append("; ").append(String.join("; ", facts));
        }
        s.append('.');
        for (String text : f.texts(said)) {
            s.append(' ').append(sentence(text));
        }
        return s.toString();
    }

    /** "Invoice INV-8821 (Pro plan, March) is paid, charged 2 times: amount $99.00." */
    private static String lookup(Turn.Result r, Said said, boolean afterAction) {
        Name name = Name.of(r.call().name());
        JsonNode node = Json.parse(r.output());
        if (node == null || node.isValueNode()) {
            String text = node == null ? r.output().strip() : node.asText().strip();
            if (text.isEmpty() || said.contains(text)) {
                return "";
            }
            return sentence(capitalize(subjectWithoutId(name, Fields.of(r, said))) + ": " + stripPeriod(text));
        }
        if (node.isArray()) {
            return list(r, name, node, said);
        }
        Fields f = Fields.of(r, said);
        String own = f.ownId(name);
        String thing = f.thing();
        String subject;
        if (own != null && !said.contains(own)) {
            String l = f.ownIdLabel(name);
            subject = capitalize(l.isEmpty() ? own : l + " " + own);
        } else {
            subject = capitalize(subjectWithoutId(name, f));
        }
        said.add(own);
        if (thing != null && !subject.contains(thing) && !said.contains(thing)) {
            subject += (f.thingField().equals("title") ? " \"" + thing + "\"" : " (" + thing + ")");
        }
        said.add(thing);
        String status = f.status();
        StringBuilder s = new StringBuilder(subject);
        if (status != null && !said.contains(status)) {
            s.append(afterAction ? " was " : " is ").append(status);
            said.add(status);
        }
        List<String> facts = f.facts(said, false, Set.of(), afterAction);
        if (afterAction && facts.isEmpty() && status == null && s.toString().equals(subject) && said.contains(own)) {
            return "";
        }
        List<String> texts = f.texts(said);
        if (!facts.isEmpty()) {
            s.append(": ").append(String.join(", ", facts)).append('.');
        } else if (texts.size() == 1 && status == null) {
            s.append(": ").append(sentence(texts.remove(0)));
        } else {
            s.append('.');
        }
        for (String text : texts) {
            s.append(' ').append(sentence(text));
        }
        String out = s.toString();
        return afterAction && out.equals(subject + ".") ? "" : out;
    }

    /** A list result: how many, and the first few by their id and a key fact. */
    private static String list(Turn.Result r, Name name, JsonNode array, Said said) {
        String subject = capitalize(subjectWithoutId(name, Fields.of(r, said)));
        if (array.isEmpty()) {
            return subject + ": none.";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(array.size(), MAX_FACTS); i++) {
            JsonNode e = array.get(i);
            if (e.isValueNode()) {
                parts.add(e.asText());
                continue;
            }
            String id = null;
            List<String> details = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getValue().isValueNode() || field.getValue().isNull() || field.getValue().asText().isBlank()) {
                    continue;
                }
                String v = field.getValue().asText();
                if (id == null && isIdField(field.getKey()) && isIdValue(v)) {
                    id = v;
                } else if (details.size() < 2) {
                    details.add(v);
                }
            }
            parts.add(id == null ? String.join(", ", details) : id + (details.isEmpty() ? "" : " (" + String.join(", ", details) + ")"));
        }
        String more = array.size() > MAX_FACTS ? "; and " + (array.size() - MAX_FACTS) + " more" : "";
        return subject + ": " + array.size() + (array.size() == 1 ? " entry, " : " entries, ") + String.join("; ", parts) + more + ".";
    }

    /**
     * "I could not refund invoice INV-9000: No invoice INV-9000." For a rejected approval: "I did not
     * refund invoice INV-9000: a reviewer did not approve it ("Exceeds what the customer paid")."
     */
    private static String failure(Turn.Result r) {
        Name name = Name.of(r.call().name());
        List<String> targets = Fields.of(r, new Said(List.of())).targets();
        JsonNode node = Json.parse(r.output());
        String why = node != null && node.isObject() ? node.get("error").asText()
                : node != null && node.isTextual() ? node.asText() : r.output();
        java.util.regex.Matcher rejected = REJECTED.matcher(why.strip());
        if (rejected.matches()) {
            String what = name.verbNoun() ? name.object() : name.verb() + (name.object().isEmpty() ? " it" : " the " + name.object());
            String join = name.verbNoun() ? " " : " for ";
            String note = rejected.group(1) == null || stripPeriod(rejected.group(1)).isBlank() ? ""
                    : " (\"" + stripPeriod(rejected.group(1).strip()) + "\")";
            return "I did not " + what + (targets.isEmpty() ? "" : join + Texts.joinAnd(targets))
                    + ": a reviewer did not approve it" + note + ".";
        }
        why = stripPeriod(why.strip().replaceFirst("(?i)^error:\\s*", "").replaceFirst("^tool '[^']*' failed:\\s*", ""));
        String what = name.verbNoun() ? name.object() + " " : name.verb() + (name.object().isEmpty() ? " it " : " the " + name.object() + " ");
        if (Rules.isLookup(r.call().name())) {
            what = "find the " + (name.object().isEmpty() ? "answer" : name.object()) + " ";
        }
        String join = name.verbNoun() && !Rules.isLookup(r.call().name()) ? " " : " for ";
        return "I could not " + what.strip() + (targets.isEmpty() ? "" : join + Texts.joinAnd(targets)) + ": "
                + Texts.lowerFirst(why) + ".";
    }

    /** "Service status for eu-west", "Known fix for Rocket Skates", "Help article". */
    private static String subjectWithoutId(Name name, Fields f) {
        String object = name.object().isEmpty() ? "result" : name.object();
        List<String> targets = f.targets();
        if (!targets.isEmpty()) {
            return object + " for " + Texts.joinAnd(targets);
        }
        String thing = f.thing();
        if (thing != null && !f.thingField().equals("title")) {
            return object + " for " + thing;
        }
        return object;
    }

    // ---------------------------------------------------------------------------------------------
    // Words

    /** A tool name read as verb and object: process_refund is "process" + "refund", look_up_serial is "look up" + "serial". */
    record Name(String verb, String object) {
        static Name of(String tool) {
            List<String> w = new ArrayList<>(List.of(Texts.words(tool).split(" ")));
            String verb = w.remove(0);
            if (!w.isEmpty() && (w.get(0).equals("up") || w.get(0).equals("out")) && !verb.isEmpty()) {
                verb += " " + w.remove(0);
            }
            return new Name(verb, acronyms(String.join(" ", w)));
        }

        /** A light verb with a noun that is a verb itself: process_refund means "refund". */
        boolean verbNoun() {
            return LIGHT_VERBS.contains(verb) && VERB_NOUNS.contains(object);
        }
    }

    /** Short words no English word could be (no vowel, or two consonants that start no word, then a vowel) are acronyms: "rma" is "RMA". */
    private static String acronyms(String words) {
        List<String> out = new ArrayList<>();
        for (String w : words.split(" ")) {
            boolean noVowel = w.length() >= 2 && w.length() <= 4 && w.chars().noneMatch(c -> "aeiouy".indexOf(c) >= 0);
            boolean twoConsonantsAndA = w.matches("[b-df-hj-np-tv-z]{2}[aeiou]") && !w.matches("(bl|br|cl|cr|dr|fl|fr|gl|gr|pl|pr|sk|sl|sm|sn|sp|st|sw|th|tr|wh)[aeiou]");
            out.add(noVowel || twoConsonantsAndA ? w.toUpperCase(Locale.ROOT) : w);
        }
        return String.join(" ", out).strip();
    }

    /** The simple past of a verb: refunded, created, sent, shipped. */
    static String past(String verbPhrase) {
        String[] parts = verbPhrase.split(" ", 2);
        String v = parts[0].toLowerCase(Locale.ROOT);
        String rest = parts.length > 1 ? " " + parts[1] : "";
        String p;
        if (IRREGULAR.containsKey(v)) {
            p = IRREGULAR.get(v);
        } else if (v.endsWith("e")) {
            p = v + "d";
        } else if (v.length() > 2 && v.endsWith("y") && "aeiou".indexOf(v.charAt(v.length() - 2)) < 0) {
            p = v.substring(0, v.length() - 1) + "ied";
        } else if (oneSyllableCvc(v)) {
            p = v + v.charAt(v.length() - 1) + "ed";
        } else {
            p = v + "ed";
        }
        return p + rest;
    }

    private static boolean oneSyllableCvc(String v) {
        int n = v.length();
        if (n < 3 || "aeiouwxy".indexOf(v.charAt(n - 1)) >= 0 || "aeiou".indexOf(v.charAt(n - 2)) < 0
                || "aeiou".indexOf(v.charAt(n - 3)) >= 0) {
            return false;
        }
        return v.replaceAll("[aeiou]+", "a").chars().filter(c -> c == 'a').count() == 1;
    }

    /** "invoice INV-8821", but "RMA-7001" when the id already says what it is. */
    private static String label(String label, String id) {
        String compact = label.replace(" ", "").toLowerCase(Locale.ROOT);
        if (compact.isEmpty() || id.toLowerCase(Locale.ROOT).startsWith(compact + "-")
                || id.toLowerCase(Locale.ROOT).startsWith(compact + "_")) {
            return id;
        }
        return label + " " + id;
    }

    static boolean isIdField(String key) {
        String k = Texts.words(key);
        return k.equals("id") || k.endsWith(" id") || k.endsWith(" number") || k.equals("serial") || k.endsWith(" serial");
    }

    static boolean isIdValue(String v) {
        return !v.contains(" ") && (Extract.ids(v).contains(v) || (v.matches("[A-Za-z]+[-_]\\d+[A-Za-z0-9-]*") || v.matches("[A-Za-z]+\\d{2,}[A-Za-z0-9-]*")));
    }

    private static String sentence(String text) {
        String t = capitalize(text.strip());
        return t.endsWith(".") || t.endsWith("!") || t.endsWith("?") ? t : t + ".";
    }

    private static String capitalize(String s) {
        return s.isEmpty() || !Character.isLowerCase(s.charAt(0)) ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String stripPeriod(String s) {
        String t = s.strip();
        while (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static int wordCount(String s) {
        return s.isBlank() ? 0 : s.strip().split("\\s+").length;
    }

    // ---------------------------------------------------------------------------------------------
    // What has been said, and the fields of one result

    /** Values already in the reply, and the customer's own words, so nothing is said twice or echoed. */
    static final class Said {
        private final Set<String> values = new LinkedHashSet<>();
        private final List<String> userMessages;

        Said(List<String> userMessages) {
            this.userMessages = userMessages.stream().map(m -> m.strip().toLowerCase(Locale.ROOT)).toList();
        }

        void add(@Nullable String value) {
            if (value != null && !value.isBlank()) {
                values.add(value.strip().toLowerCase(Locale.ROOT));
            }
        }

        boolean contains(@Nullable String value) {
            return value != null && values.contains(value.strip().toLowerCase(Locale.ROOT));
        }

        /** Whether a word (a number, say) already appears inside a value said: "2" in "paid, charged 2 times". */
        boolean mentions(String word) {
            Pattern p = Pattern.compile("(?<![\\w.$])" + Pattern.quote(word.toLowerCase(Locale.ROOT)) + "(?![\\w.])");
            return values.stream().anyMatch(v -> p.matcher(v).find());
        }

        /** Whether a text repeats the customer: a sentence of at least four words found in one of their messages. */
        boolean echoes(String value) {
            String v = stripPeriod(value.strip().toLowerCase(Locale.ROOT)).replaceAll("\\s+", " ");
            if (wordCount(v) < 4) {
                return false;
            }
            for (String m : userMessages) {
                String message = m.replaceAll("\\s+", " ");
                if (message.contains(v) || v.contains(stripPeriod(message))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The fields of one tool result, sorted into ids, the thing it is about, status, amounts, texts and facts. */
    static final class Fields {
        private final Map<String, String> args = new LinkedHashMap<>();
        private final Map<String, JsonNode> fields = new LinkedHashMap<>();
        private final Set<String> used = new LinkedHashSet<>();
        private @Nullable String thingField;
        private @Nullable String thing;
        private boolean thingKnown;
        private @Nullable String ownKey;
        private boolean ownKeyKnown;

        static Fields of(Turn.Result r, Said said) {
            Fields f = new Fields();
            JsonNode args = Json.parse(r.call().arguments());
            if (args != null && args.isObject()) {
                args.fields().forEachRemaining(e -> {
                    if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                        f.args.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
            JsonNode out = Json.parse(r.output());
            if (out != null && out.isObject()) {
                out.fields().forEachRemaining(e -> f.fields.put(e.getKey(), e.getValue()));
            }
            for (Map.Entry<String, JsonNode> e : f.fields.entrySet()) {
                JsonNode v = e.getValue();
                if (v.isNull() || (v.isTextual() && v.asText().isBlank()) || (v.isContainerNode() && v.isEmpty() && !v.isArray())) {
                    f.used.add(e.getKey());
                } else if (v.isValueNode() && (f.args.containsValue(v.asText()) || said.echoes(v.asText()))) {
                    f.used.add(e.getKey());
                }
            }
            return f;
        }

        /** The arguments that name what the call was about: ids, e-mail addresses, regions, as "invoice INV-8821". */
        List<String> targets() {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, String> a : args.entrySet()) {
                String v = a.getValue();
                boolean id = isIdValue(v) || v.equals(Extract.email(v)) || v.equalsIgnoreCase(Extract.region(v) == null ? "" : Extract.region(v));
                if (!id) {
                    continue;
                }
                String l = Texts.words(a.getKey()).replaceAll("( |^)(id|number|code|ref)$", "").strip();
                boolean plain = l.isEmpty() || v.contains("@") || l.equals("region") || l.equals("customer") && !isIdValue(v)
                        || l.equals("email") || l.equals("e mail");
                out.add(plain ? v : label(acronyms(l), v));
            }
            return out;
        }

        /** The result's own id: "refund_id" for a refund, "id" or a field named as the object, not an echo of an argument. */
        @Nullable String ownId(Name name) {
            String key = ownIdKey(name);
            if (key == null) {
                return null;
            }
            used.add(key);
            return fields.get(key).asText();
        }

        /** The key of the result's own id, found once: later calls must not pick another key once it is marked used. */
        private @Nullable String ownIdKey(Name name) {
            if (!ownKeyKnown) {
                ownKey = findOwnIdKey(name);
                ownKeyKnown = true;
            }
            return ownKey;
        }

        private @Nullable String findOwnIdKey(Name name) {
            String object = name.object().toLowerCase(Locale.ROOT).replace(' ', '_');
            String last = object.contains("_") ? object.substring(object.lastIndexOf('_') + 1) : object;
            String best = null;
            for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                String k = e.getKey().toLowerCase(Locale.ROOT).replaceAll("([a-z])([A-Z])", "$1_$2");
                String v = e.getValue().asText();
                if (!e.getValue().isValueNode() || !isIdValue(v)) {
                    continue;
                }
                boolean named = k.equals("id") || k.equals(object) || k.equals(last) || k.equals(object + "_id")
                        || k.equals(last + "_id") || k.equals(object + "id");
                if (named) {
                    return e.getKey();
                }
                if (best == null && isIdField(e.getKey()) && !args.containsValue(v) && !used.contains(e.getKey())) {
                    best = e.getKey();
                }
            }
            return Rules.isLookup(name.verb()) ? null : best;
        }

        boolean ownIdNamesObject(Name name) {
            String key = ownIdKey(name);
            if (key == null) {
                return false;
            }
            String l = Texts.words(key).replaceAll("( |^)id$", "").strip();
            return l.isEmpty() || l.equalsIgnoreCase(name.object());
        }

        /** "refund" for refund_id; the tool's object for a plain "id". */
        String ownIdLabel(Name name) {
            String key = ownIdKey(name);
            String l = key == null ? "" : Texts.words(key).replaceAll("( |^)id$", "").strip();
            return acronyms(l.isEmpty() ? name.object() : l);
        }

        /** The name of what the result is about: a product, a name, a title. */
        @Nullable String thing() {
            if (!thingKnown) {
                thing = findThing();
                thingKnown = true;
            }
            return thing;
        }

        private @Nullable String findThing() {
            for (String name : THING_FIELDS) {
                for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                    if (Texts.words(e.getKey()).replace(' ', '_').equals(name) && e.getValue().isTextual()
                            && !e.getValue().asText().isBlank() && !isIdValue(e.getValue().asText())
                            && wordCount(e.getValue().asText()) <= 6 && !used.contains(e.getKey())) {
                        used.add(e.getKey());
                        thingField = name;
                        return e.getValue().asText().strip();
                    }
                }
                for (Map.Entry<String, String> a : args.entrySet()) {
                    if (Texts.words(a.getKey()).replace(' ', '_').equals(name) && !isIdValue(a.getValue())) {
                        thingField = name;
                        return a.getValue().strip();
                    }
                }
            }
            return null;
        }

        String thingField() {
            return thingField == null ? "" : thingField;
        }

        /** The amount of money the result states, as written. */
        @Nullable String amount() {
            String key = amountField();
            return key.isEmpty() ? null : fields.get(key).asText();
        }

        String amountField() {
            for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                if (MONEY_FIELDS.contains(e.getKey().toLowerCase(Locale.ROOT)) && e.getValue().isValueNode()) {
                    return e.getKey();
                }
            }
            return "";
        }

        /** A plain "status" field's value. */
        @Nullable String status() {
            for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                if (e.getKey().equalsIgnoreCase("status") && e.getValue().isValueNode() && !used.contains(e.getKey())) {
                    used.add(e.getKey());
                    return e.getValue().asText();
                }
            }
            return null;
        }

        /** Where an action's result went, from a field such as sent_to: "sent it to dana@example.com". */
        @Nullable String delivery(Said said) {
            for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                String[] w = Texts.words(e.getKey()).split(" ");
                if (w.length == 2 && PREPOSITIONS.contains(w[1]) && (w[0].endsWith("ed") || IRREGULAR_PARTICIPLES.contains(w[0]))
                        && e.getValue().isValueNode() && !used.contains(e.getKey())) {
                    used.add(e.getKey());
                    said.add(e.getValue().asText());
                    return w[0] + " it " + w[1] + " " + e.getValue().asText();
                }
            }
            return null;
        }

        /** Long free texts (a detail, steps, a fix): said as sentences of their own. */
        List<String> texts(Said said) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                if (used.contains(e.getKey()) || !e.getValue().isTextual()) {
                    continue;
                }
                String v = e.getValue().asText().strip();
                if (wordCount(v) >= 6 && !said.contains(v) && !v.contains(", ") || wordCount(v) >= 9 && !said.contains(v)) {
                    used.add(e.getKey());
                    said.add(v);
                    out.add(v);
                }
            }
            return out;
        }

        /**
         * Up to {@link #MAX_FACTS} short facts, status and money first: "the invoice is now partially
         * refunded", "it expires in 30 minutes", "in warranty", "priority HIGH".
         */
        List<String> facts(Said said, boolean action, Set<String> skip, boolean brief) {
            List<Map.Entry<String, JsonNode>> ranked = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                String v = e.getValue().asText();
                if (used.contains(e.getKey()) || skip.contains(e.getKey()) || !e.getValue().isValueNode() || said.contains(v)
                        || e.getValue().isTextual() && wordCount(v) >= 9) {
                    continue;
                }
                if (!action && e.getValue().isTextual() && wordCount(v) >= 6 && !v.contains(", ")) {
                    continue;
                }
                if (brief && (isIdField(e.getKey()) || e.getValue().isNumber()) || e.getValue().isNumber() && said.mentions(v)) {
                    continue; // after an action: no other entities' ids or counts; no count that a stated value gives
                }
                ranked.add(e);
            }
            ranked.sort((a, b) -> Integer.compare(rank(a.getKey(), a.getValue()), rank(b.getKey(), b.getValue())));
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : ranked) {
                if (out.size() >= MAX_FACTS) {
                    break;
                }
                String fact = fact(e.getKey(), e.getValue(), action);
                if (fact != null) {
                    out.add(fact);
                    used.add(e.getKey());
                    said.add(e.getValue().asText());
                }
            }
            return out;
        }

        private static int rank(String key, JsonNode value) {
            String k = Texts.words(key);
            if (k.equals("status") || k.endsWith(" status")) {
                return 0;
            }
            if (MONEY_FIELDS.stream().anyMatch(m -> k.equals(m) || k.endsWith(" " + m))) {
                return 1;
            }
            if (value.isBoolean()) {
                return 2;
            }
            if (isIdField(key)) {
                return 4;
            }
            return 3;
        }

        private static @Nullable String fact(String key, JsonNode value, boolean action) {
            String k = Texts.words(key);
            String v = value.asText().strip();
            if (value.isBoolean()) {
                String what = k.replaceFirst("^(is|has) ", "");
                return value.asBoolean() ? what : "not " + what;
            }
            if ((value.isNumber() && value.asDouble() == 0) || ZERO_MONEY.matcher(v).matches()) {
                if (k.equals("amount") || MONEY_FIELDS.stream().anyMatch(m -> k.endsWith(" " + m))) {
                    return null;
                }
                return value.isNumber() ? "no " + k : null;
            }
            if (k.equals("status")) {
                return "it is " + v;
            }
            if (k.endsWith(" status")) {
                String thing = k.substring(0, k.length() - " status".length());
                return action ? "the " + thing + " is now " + v : k + " " + v;
            }
            String[] w = k.split(" ");
            if (value.isNumber() && w.length >= 3 && w[w.length - 2].equals("in")) {
                String unit = w[w.length - 1];
                String verb = String.join(" ", java.util.Arrays.copyOf(w, w.length - 2));
                String units = value.asDouble() == 1 && unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
                return (action ? "it " : "") + verb + " in " + v + " " + units;
            }
            return k + " " + v;
        }
    }
}
