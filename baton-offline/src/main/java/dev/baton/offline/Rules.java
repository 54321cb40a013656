package dev.baton.offline;

import dev.baton.item.ToolCall;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ToolChoice;
import dev.baton.model.ToolSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The offline model's rules, tried in order; the first that applies decides.
 *
 * <ol>
 *   <li>Hand off, when the latest customer message matches a handoff and the last input is not a
 *       tool result, unless a tool matches better. Agents already active in this turn are skipped.</li>
 *   <li>Call a tool whose arguments can all be filled, not yet called with them this turn, that
 *       matches the message; lookups before actions ("look before you act"). A lookup also runs when
 *       it finds what a better-matching tool is missing (an item id for a refund), or when it is about
 *       the same value the action would act on. Once an action has succeeded in this turn, only a tool
 *       the latest message names (a literal word match) is called. A reply to the model's question
 *       that matches nothing itself is matched as the customer's previous message (the request it
 *       answers).</li>
 *   <li>After tool results, answer with them ({@link Replies}; as JSON when a structured answer is asked for).</li>
 *   <li>Ask for what is missing when a matching tool cannot be filled, one thing at a time: what the
 *       lookup that would find a missing id needs, then what no lookup can find (a reason).</li>
 *   <li>Give a structured answer when one is asked for, filled from the text.</li>
 *   <li>Otherwise reply plainly.</li>
 * </ol>
 */
final class Rules {
    private static final List<String> LOOKUP_VERBS = List.of(
            "get", "look", "lookup", "find", "search", "check", "list", "fetch", "read", "show", "view", "query", "verify");

    private Rules() {}

    static Decision decide(ModelRequest request) {
        Turn turn = Turn.of(request);
        ToolChoice choice = request.settings().toolChoice();
        if (choice instanceof ToolChoice.Named named) {
            Decision forced = forced(request, turn, named.name());
            if (forced != null) {
                return forced;
            }
        }
        boolean mayCall = !(choice instanceof ToolChoice.None);
        boolean force = choice instanceof ToolChoice.Required;
        List<Candidate> tools = mayCall ? candidates(request, turn, turn.latestUser()) : List.of();
        Scored<HandoffSpec> handoff = mayCall && !turn.lastIsToolResult() && !turn.latestUser().isBlank()
                ? bestHandoff(request, turn) : null;
        String carried = "";
        if (mayCall && carriesIntent(turn, tools, handoff)) {
            // An answer to the model's question ("A pair of shoes I bought" after "which item?") names
            // no action itself: the request it answers ("I want a refund") still stands.
            carried = " (the customer's previous message: '" + Extract.sentence(turn.userMessages().get(1)) + "')";
            tools = candidates(request, turn, turn.userMessages().get(1));
        }
        Candidate bestTool = tools.stream().filter(Candidate::eligible).findFirst().orElse(null);

        if (handoff != null && (handoff.match.score() > 0 || force)
                && (bestTool == null || handoff.match.score() >= bestTool.score())) {
            return Decision.call("handoff to " + handoff.item.targetAgent() + ": matched " + handoff.match.quoted(),
                    new ToolCall(callId(request, handoff.item.toolName()), handoff.item.toolName(), "{}"));
        }
        if (bestTool != null) {
            Candidate lookup = bestTool.lookup() ? null
                    : tools.stream().filter(c -> c.eligible() && c.lookup() && (c.match().literal() > 0 || c.fill().specific()
                                    || sharesValue(c.fill(), bestTool.fill())))
                            .findFirst().orElse(null);
            Candidate chosen = lookup != null ? lookup : bestTool;
            String why = lookup != null ? " (a lookup before " + bestTool.tool().name() + ")" : "";
            return Decision.call("call " + chosen.tool().name() + why + ": matched " + chosen.match().quoted() + carried
                            + (chosen.fill().notes().isEmpty() ? "" : "; " + String.join(", ", chosen.fill().notes())),
                    new ToolCall(callId(request, chosen.tool().name()), chosen.tool().name(), Json.write(chosen.fill().arguments())));
        }
        Candidate wanted = tools.stream().filter(c -> !c.fill().complete() && c.match().score() > 0).findFirst().orElse(null);
        if (wanted != null && !turn.lastIsToolResult()) {
            // What a lookup can find (an item id) is found; what the lookup itself lacks (which item?) and
            // what no lookup can find (why the customer wants the refund) is asked for, one question at a time.
            List<Property> unfindable = new ArrayList<>();
            Candidate finder = null;
            for (Property p : wanted.fill().missing()) {
                Candidate f = finderFor(p, wanted, tools);
                if (f == null) {
                    unfindable.add(p);
                } else if (!f.fill().complete()) {
                    return Decision.say("ask: " + wanted.tool().name() + " matched " + wanted.match().quoted() + carried
                                    + " but needs " + p.name() + ", which " + f.tool().name() + " finds from "
                                    + String.join(", ", f.fill().missing().stream().map(Property::name).toList()),
                            Texts.question(wanted.tool(), f.fill().missing()));
                } else if (finder == null) {
                    finder = f;
                }
            }
            if (!unfindable.isEmpty()) {
                return Decision.say("ask: " + wanted.tool().name() + " matched " + wanted.match().quoted() + carried
                        + " but needs " + String.join(", ", unfindable.stream().map(Property::name).toList()),
                        Texts.question(wanted.tool(), unfindable));
            }
            if (finder != null) {
                return Decision.call("call " + finder.tool().name() + ": it finds the " + missingNames(wanted)
                                + " that " + wanted.tool().name() + " needs" + carried,
                        new ToolCall(callId(request, finder.tool().name()), finder.tool().name(), Json.write(finder.fill().arguments())));
            }
        }
        if (turn.lastIsToolResult()) {
            if (request.outputSchema() != null) {
                return structured(request, turn, "structured answer from the tool results");
            }
            return Decision.say("answer from " + turn.results().size() + " tool result(s)",
                    Replies.answer(turn.results(), turn.userMessages()));
        }
        if (wanted != null) {
            return Decision.say("ask: " + wanted.tool().name() + " matched " + wanted.match().quoted() + " but needs "
                    + missingNames(wanted), Texts.question(wanted.tool(), wanted.fill().missing()));
        }
        if (request.outputSchema() != null) {
            return structured(request, turn, "structured answer from the customer's words");
        }
        return Decision.say("reply: no handoff or tool matched", Texts.reply(request, turn.latestUser()));
    }

    private static Decision structured(ModelRequest request, Turn turn, String rule) {
        Fill fill = Fill.forAnswer(request.outputSchema(), turn);
        return Decision.say(rule + (fill.notes().isEmpty() ? "" : ": " + String.join(", ", fill.notes())), Json.write(fill.arguments()));
    }

    private static @Nullable Decision forced(ModelRequest request, Turn turn, String name) {
        HandoffSpec handoff = request.handoffByTool(name);
        if (handoff != null) {
            return Decision.call("handoff to " + handoff.targetAgent() + ": the tool choice names it",
                    new ToolCall(callId(request, name), name, "{}"));
        }
        for (ToolSpec tool : request.tools()) {
            if (tool.name().equals(name)) {
                Fill fill = Fill.forTool(tool.parameters(), turn, tool.name() + " " + tool.description());
                return Decision.call("call " + name + ": the tool choice names it", new ToolCall(callId(request, name), name,
                        Json.write(fill.arguments())));
            }
        }
        return null;
    }

    /**
     * Whether the latest message answers the model's question without naming an action or a handoff
     * itself, but gives a value (a thing, an id, an amount): then the customer's previous message
     * still says what they want.
     */
    private static boolean carriesIntent(Turn turn, List<Candidate> tools, @Nullable Scored<HandoffSpec> handoff) {
        String latest = turn.latestUser();
        if (!turn.answersQuestion() || turn.userMessages().size() < 2
                || tools.stream().anyMatch(c -> c.match().score() > 0) || handoff != null && handoff.match.score() > 0) {
            return false;
        }
        return !Extract.phrase(latest).isEmpty() || !Extract.ids(latest).isEmpty() || Extract.email(latest) != null
                || Extract.money(latest) != null;
    }

    private static @Nullable Scored<HandoffSpec> bestHandoff(ModelRequest request, Turn turn) {
        Scored<HandoffSpec> best = null;
        for (HandoffSpec h : request.handoffs()) {
            if (turn.visited().contains(h.targetAgent())) {
                continue;
            }
            Words.Match m = Words.match(turn.latestUser(), h.tool().description() + " " + h.targetAgent().replace('_', ' '));
            if (best == null || m.score() > best.match.score()) {
                best = new Scored<>(h, m);
            }
        }
        return best;
    }

    /**
     * Every offered tool with its arguments filled and its score against {@code query} (the latest
     * message, or the request an answer carries); eligible ones first, best first.
     */
    private static List<Candidate> candidates(ModelRequest request, Turn turn, String query) {
        List<Candidate> out = new ArrayList<>();
        boolean actionDone = turn.results().stream()
                .anyMatch(r -> !isLookup(r.call().name()) && !Replies.failed(r.output()));
        for (int i = 0; i < request.tools().size(); i++) {
            ToolSpec tool = request.tools().get(i);
            Fill fill = Fill.forTool(tool.parameters(), turn, tool.name() + " " + tool.description());
            Words.Match m = Words.match(query, tool.name().replace('_', ' ') + " " + tool.description());
            int score = m.score() + (fill.specific() ? 1 : 0);
            // After a tool result only the customer's words justify another call, not an id they happened to give;
            // after an action has succeeded, only words of the tool's own name or description (the customer asks for it).
            boolean matches = !turn.lastIsToolResult() ? score > 0 : actionDone ? m.literal() > 0 : m.score() > 0;
            // A question ("what is the status of INV-9000?") asks for facts: an action is taken only when
            // the question names it ("can I get a refund?").
            boolean lookup = isLookup(tool.name());
            if (!lookup && isQuestion(query) && Words.match(query, tool.name().replace('_', ' ')).literal() == 0) {
                matches = false;
            }
            boolean eligible = fill.complete() && matches && !turn.calledTool(tool.name());
            out.add(new Candidate(tool, fill, m, score, eligible, !turn.calledTool(tool.name()), lookup, i));
        }
        out.sort((a, b) -> a.eligible() != b.eligible() ? (a.eligible() ? -1 : 1)
                : a.score() != b.score() ? Integer.compare(b.score(), a.score()) : Integer.compare(a.order(), b.order()));
        return out;
    }

    /**
     * A lookup with arguments, not yet called this turn, whose name or description mentions {@code
     * missing} (look_up_item "finds an item's id" for item_id): a fillable one first, else one that
     * lacks arguments itself; null when no lookup finds it.
     */
    private static @Nullable Candidate finderFor(Property missing, Candidate wanted, List<Candidate> tools) {
        List<String> needed = Words.contentStems(missing.name().replace('_', ' '));
        Candidate unfilled = null;
        for (Candidate c : tools) {
            if (c == wanted || !c.lookup() || !c.fresh() || Property.of(c.tool().parameters(), c.tool().parameters()).isEmpty()
                    || Collections.disjoint(needed, Words.contentStems(c.tool().name().replace('_', ' ') + " " + c.tool().description()))) {
                continue;
            }
            if (c.fill().complete()) {
                return c;
            }
            if (unfilled == null) {
                unfilled = c;
            }
        }
        return unfilled;
    }

    /**
     * Whether a lookup's arguments name something the action will act on (check_warranty(serial) and
     * create_rma(serial, reason) with the same serial): then the lookup is worth running first.
     */
    static boolean sharesValue(Fill lookup, Fill action) {
        java.util.Set<String> values = new java.util.HashSet<>();
        action.arguments().fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull() && !e.getValue().asText().isBlank()) {
                values.add(e.getValue().asText());
            }
        });
        var fields = lookup.arguments().fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (e.getValue().isValueNode() && !e.getValue().isNull() && values.contains(e.getValue().asText())) {
                return true;
            }
        }
        return false;
    }

    private static String missingNames(Candidate c) {
        return String.join(", ", c.fill().missing().stream().map(Property::name).toList());
    }

    private static final java.util.regex.Pattern QUESTION = java.util.regex.Pattern.compile(
            "(?is)^\\W*(what|which|where|when|why|how|is|are|was|were|does|do|did|has|have)\\b.*|.*\\?\\s*$");

    /** Whether the customer's message asks a question (a question mark, or it opens with a question word). */
    static boolean isQuestion(String text) {
        return QUESTION.matcher(text.strip()).matches();
    }

    static boolean isLookup(String toolName) {
        String first = toolName.toLowerCase(Locale.ROOT).split("[_\\-\\s]")[0];
        return LOOKUP_VERBS.contains(first);
    }

    /**
     * A call id unique within a run: the function name, the size of the input and a hash of it. The
     * input grows with every model call of a run, and the hash separates agents whose input filters
     * give them histories of equal length.
     */
    static String callId(ModelRequest request, String function) {
        int hash = (request.agent() + request.input()).hashCode();
        return "call_" + function + "_" + request.input().size() + "_" + Integer.toHexString(hash);
    }

    private record Scored<T>(T item, Words.Match match) {}

    private record Candidate(ToolSpec tool, Fill fill, Words.Match match, int score, boolean eligible, boolean fresh,
            boolean lookup, int order) {}
}
