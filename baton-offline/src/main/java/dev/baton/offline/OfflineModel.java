package dev.baton.offline;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.HandoffSpec;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.ToolSpec;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model that runs on rules instead of a network: deterministic, explainable and fast. Baton uses
 * it when no API key is configured, and it makes demos and tests of handoff apps reproducible.
 *
 * <p>For each request it tries, in order: hand off to the agent whose handoff description matches
 * the customer's latest message; call the tool that matches the message and whose arguments it can
 * fill from the conversation (ids such as INV-8821, e-mail addresses, amounts, regions, enum
 * values, earlier tool results), lookups before actions and no more calls once an action is done;
 * answer from the tool results; ask for a missing argument; fill a
 * structured answer; reply plainly. {@link #explain} says which rule fired and why. The same
 * request always gets the same response, so runs replay exactly. It asks for what it lacks one
 * thing at a time (which item, then why), takes a reply to its question as the answer to the
 * request it asked about, and reports a call a reviewer rejected as not done.
 *
 * <p>It is not a language model: it matches words against a small topic table, it does not
 * understand negation, and beyond the current turn it only reuses ids, things, stated problems and
 * the request an answer keeps; its replies follow a few fixed patterns: what the actions did, what
 * failed, then key facts from the lookups.
 * See {@code docs/offline-model.md}.
 */
public final class OfflineModel implements Model {
    private static final Pattern WORD_CHUNK = Pattern.compile("\\S+\\s*|\\s+");

    private final boolean reasoning;

    private OfflineModel(boolean reasoning) {
        this.reasoning = reasoning;
    }

    /** The offline model; its responses hold only messages and function calls. */
    public static OfflineModel create() {
        return new OfflineModel(false);
    }

    /**
     * The offline model that also puts its explanation in each response, as a {@link Reasoning}
     * item before the answer, so traces and the console show why it acted.
     */
    public static OfflineModel explaining() {
        return new OfflineModel(true);
    }

    /**
     * Which rule the offline model applies to {@code request} and why, in one line: for example
     * {@code handoff to billing_specialist: matched 'charged', 'refund'}.
     */
    public static String explain(ModelRequest request) {
        return Rules.decide(request).rule();
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        Decision decision = Rules.decide(request);
        List<Item> output = new ArrayList<>();
        if (reasoning) {
            output.add(new Reasoning(decision.rule()));
        }
        output.addAll(decision.output());
        return new ModelResponse(output, usage(request, output));
    }

    /** Streams the response of {@link #respond}: its reasoning, its text word by word, its call whole. */
    @Override
    public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
        ModelResponse response = respond(request);
        for (int i = 0; i < response.output().size(); i++) {
            Item item = response.output().get(i);
            if (item instanceof Reasoning r) {
                events.accept(new ModelStreamEvent.ReasoningDelta(r.summary()));
            } else if (item instanceof Message m) {
                Matcher chunks = WORD_CHUNK.matcher(m.text());
                while (chunks.find()) {
                    events.accept(new ModelStreamEvent.TextDelta(chunks.group()));
                }
            } else if (item instanceof ToolCall c) {
                events.accept(new ModelStreamEvent.ToolCallDelta(i, c.callId(), c.name(), c.arguments()));
            }
        }
        return response;
    }

    /** Token estimates: four tokens for every three words, the usual ratio for English text. */
    private static Usage usage(ModelRequest request, List<Item> output) {
        long in = words(request.instructions() == null ? "" : request.instructions());
        for (Item item : request.input()) {
            in += words(item);
        }
        for (ToolSpec t : request.tools()) {
            in += words(t.name() + " " + t.description() + " " + t.parameters());
        }
        for (HandoffSpec h : request.handoffs()) {
            in += words(h.toolName() + " " + h.tool().description());
        }
        if (request.outputSchema() != null) {
            in += words(request.outputSchema().toString());
        }
        long out = 0;
        for (Item item : output) {
            out += words(item);
        }
        return Usage.of(tokens(in), tokens(out));
    }

    private static long words(Item item) {
        return switch (item) {
            case Message m -> words(m.text());
            case ToolCall c -> words(c.name() + " " + c.arguments());
            case ToolOutput o -> words(o.output());
            case Reasoning r -> words(r.summary());
        };
    }

    private static long words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static long tokens(long words) {
        return (words * 4 + 2) / 3;
    }

    @Override
    public String toString() {
        return reasoning ? "OfflineModel[explaining]" : "OfflineModel";
    }
}
