package dev.baton.human;

import dev.baton.NobodyAnswered;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.HandoffTarget;
import dev.baton.internal.HumanAccess;
import dev.baton.item.Item;
import dev.baton.item.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Builds human agents: agents whose turns a person answers through a {@link HumanChannel}.
 *
 * <pre>{@code
 * Agent<Support> human = HumanAgent.<Support>builder("human_agent")
 *         .handoffDescription("A person, for complaints and anything the bots cannot do")
 *         .channel(queue)
 *         .timeout(Duration.ofMinutes(2))
 *         .handoffs(Handoff.to("support_triage"))
 *         .build();
 * }</pre>
 *
 * <p>The result is an ordinary {@link Agent}: other agents hand off to it, a {@link dev.baton.agent.Team}
 * resolves its handoffs, and it holds the session like any specialist, so the customer's next
 * message goes to the person again. Each of its turns asks the channel once: the person's text
 * becomes the agent's assistant message, and a reply that names a handoff carries it out. A run's
 * model override ({@code RunOptions.withModel}) does not replace the person.
 *
 * <p>When nobody answers within the timeout (five minutes unless set), the agent replies
 * {@value #DEFAULT_NOBODY_ANSWERED_REPLY} by default: the customer hears something, the run
 * completes, and the message is marked (see {@link #isNobodyAnswered(Item)}) in the run's items,
 * its events and the session. {@link Builder#whenNobodyAnswers(String)} changes the text;
 * {@link Builder#failWhenNobodyAnswers()} makes the run fail with {@link NobodyAnswered} instead.
 */
public final class HumanAgent {

    /** How long a human agent waits for a person unless {@link Builder#timeout(Duration)} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /** What a human agent says when nobody answered, unless configured otherwise. */
    public static final String DEFAULT_NOBODY_ANSWERED_REPLY = "Nobody is available right now; we will get back to you.";

    /** The item id of the message a human agent gives when nobody answered. */
    public static final String NOBODY_ANSWERED = "nobody_answered";

    static {
        HumanAccess.install(HumanAgent::isHuman);
    }

    private HumanAgent() {}

    /** A builder for a human agent named {@code name}. */
    public static <C> Builder<C> builder(String name) {
        return new Builder<>(name);
    }

    /** Whether {@code agent} is a human agent, answered by a person rather than a model. */
    static boolean isHuman(Agent<?> agent) {
        return agent.model() instanceof HumanModel;
    }

    /** Whether {@code item} is the message a human agent gave because nobody answered in time. */
    public static boolean isNobodyAnswered(Item item) {
        return item instanceof Message m && m.role() == Message.Role.ASSISTANT && NOBODY_ANSWERED.equals(m.id());
    }

    /** Configures a human agent; {@link #channel(HumanChannel)} is required. */
    public static final class Builder<C> {
        private final String name;
        private @Nullable HumanChannel channel;
        private Duration timeout = DEFAULT_TIMEOUT;
        private @Nullable String whenNobodyAnswers = DEFAULT_NOBODY_ANSWERED_REPLY;
        private @Nullable String instructions;
        private @Nullable String handoffDescription;
        private final List<HandoffTarget<C>> handoffs = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Where the person answers: a console, an HTTP endpoint, a {@link HumanQueue}. */
        public Builder<C> channel(HumanChannel value) {
            this.channel = Objects.requireNonNull(value, "channel");
            return this;
        }

        /**
         * How long each turn waits for a person (default {@link #DEFAULT_TIMEOUT}).
         *
         * @throws UserError if not positive
         */
        public Builder<C> timeout(Duration value) {
            Objects.requireNonNull(value, "timeout");
            if (value.isNegative() || value.isZero()) {
                throw new UserError("Human agent '" + name + "' needs a positive timeout, not " + value);
            }
            this.timeout = value;
            return this;
        }

        /**
         * What the agent says when nobody answered in time (default {@link #DEFAULT_NOBODY_ANSWERED_REPLY}).
         *
         * @throws UserError if blank
         */
        public Builder<C> whenNobodyAnswers(String reply) {
            Objects.requireNonNull(reply, "reply");
            if (reply.isBlank()) {
                throw new UserError("Human agent '" + name + "' needs a non-blank reply for when nobody answers");
            }
            this.whenNobodyAnswers = reply;
            return this;
        }

        /** When nobody answered in time, the run fails with {@link NobodyAnswered} instead of replying. */
        public Builder<C> failWhenNobodyAnswers() {
            this.whenNobodyAnswers = null;
            return this;
        }

        /** A briefing for the person, shown with each request. */
        public Builder<C> instructions(String value) {
            this.instructions = Objects.requireNonNull(value, "instructions");
            return this;
        }

        /** What other agents read about this one when they may hand off to it. */
        public Builder<C> handoffDescription(String value) {
            this.handoffDescription = Objects.requireNonNull(value, "handoffDescription");
            return this;
        }

        /** Agents (or configured handoffs) the person may hand the conversation to. */
        @SafeVarargs
        public final Builder<C> handoffs(HandoffTarget<C>... values) {
            handoffs.addAll(List.of(values));
            return this;
        }

        /** Agents the person may hand the conversation to, by name, resolved by a {@link dev.baton.agent.Team}. */
        public Builder<C> handoffs(String... targetNames) {
            for (String target : targetNames) {
                handoffs.add(Handoff.<C>to(target));
            }
            return this;
        }

        /**
         * The human agent.
         *
         * @throws UserError without a channel, or as {@link Agent.Builder#build()} does
         */
        public Agent<C> build() {
            if (channel == null) {
                throw new UserError("Human agent '" + name + "' needs a channel where a person answers: "
                        + "HumanAgent.builder(...).channel(...), for example a HumanQueue");
            }
            Agent.Builder<C> agent = Agent.<C>builder(name).model(new HumanModel(channel, timeout, whenNobodyAnswers))
                    .handoffs(handoffs);
            if (instructions != null) {
                agent.instructions(instructions);
            }
            if (handoffDescription != null) {
                agent.handoffDescription(handoffDescription);
            }
            return agent.build();
        }
    }
}
