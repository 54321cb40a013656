package dev.baton.human;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What a person needs to answer one turn of a human agent.
 *
 * @param agent the human agent's name
 * @param instructions the human agent's instructions (a briefing for the person), or null
 * @param conversation the conversation so far, as the human agent sees it; the customer's latest
 *     message is usually last
 * @param handoffs the agents the person may hand the conversation to, in the order offered
 * @param deadline when the run stops waiting: a channel returns empty once it has passed
 * @param runId the id of the run asking (a durable run's id), so a person's tools can show the run;
 *     null when the request was made outside a run
 * @param sessionId the session of the run asking, or null for a run without one
 */
public record HumanRequest(String agent, @Nullable String instructions, List<Item> conversation,
        List<HandoffOption> handoffs, Instant deadline, @Nullable String runId, @Nullable String sessionId) {

    public HumanRequest {
        Objects.requireNonNull(agent, "agent");
        conversation = List.copyOf(conversation);
        handoffs = List.copyOf(handoffs);
        Objects.requireNonNull(deadline, "deadline");
    }

    /** A request that names no run or session. */
    public HumanRequest(String agent, @Nullable String instructions, List<Item> conversation, List<HandoffOption> handoffs,
            Instant deadline) {
        this(agent, instructions, conversation, handoffs, deadline, null, null);
    }

    /**
     * An agent the person may hand the conversation to.
     *
     * @param agent the target agent's name, what {@link HumanReply#handoff()} names
     * @param description what the handoff is for, as a model would read it
     */
    public record HandoffOption(String agent, String description) {
        public HandoffOption {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(description, "description");
        }
    }

    /** The latest user message of the conversation, or null if there is none. */
    public @Nullable String lastUserMessage() {
        for (int i = conversation.size() - 1; i >= 0; i--) {
            if (conversation.get(i) instanceof Message m && m.role() == Message.Role.USER) {
                return m.text();
            }
        }
        return null;
    }

    /**
     * The conversation as lines a person reads: {@code user: text}, {@code assistant: text},
     * {@code called name(arguments)} and {@code result: output}; reasoning is left out.
     */
    public String transcript() {
        return conversation.stream().map(HumanRequest::line).filter(Objects::nonNull).collect(Collectors.joining("\n"));
    }

    private static @Nullable String line(Item item) {
        return switch (item) {
            case Message m -> m.role().name().toLowerCase(Locale.ROOT) + ": " + m.text();
            case ToolCall c -> "called " + c.name() + "(" + c.arguments() + ")";
            case ToolOutput o -> "result: " + o.describe();
            case Reasoning r -> null;
        };
    }

    /**
     * Checks that this turn can take {@code reply}: its handoff, if any, is one of {@link #handoffs()}.
     * Channels call it when the person answers, so a mistake is reported to them while the
     * question is still open.
     *
     * @throws IllegalArgumentException naming the agents that may be handed to
     */
    public void check(HumanReply reply) {
        Objects.requireNonNull(reply, "reply");
        if (reply.handoff() == null || handoffs.stream().anyMatch(h -> h.agent().equals(reply.handoff()))) {
            return;
        }
        throw new IllegalArgumentException("Human agent '" + agent + "' cannot hand off to '" + reply.handoff() + "': "
                + (handoffs.isEmpty() ? "it has no handoffs"
                        : "it hands off to " + handoffs.stream().map(HandoffOption::agent).collect(Collectors.joining(", "))));
    }
}
