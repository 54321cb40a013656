package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.baton.internal.TimeOrderedIds;
import dev.baton.runtime.internal.LocalAgents;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime in one process: messages are handed over as objects (no serialisation; envelopes
 * are made only for dead letters), each agent instance has a mailbox drained by a virtual thread
 * while it has messages, so idle instances cost no thread.
 *
 * <pre>{@code
 * InProcessRuntime runtime = InProcessRuntime.create();
 * runtime.register("echo", id -> new EchoAgent());
 * runtime.subscribe(Subscription.byType("chat", "echo"));
 * runtime.publish(new Said("hi"), new TopicId("chat", "session-1"));
 * runtime.stopWhenIdle();
 * }</pre>
 */
public final class InProcessRuntime implements AgentRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessRuntime.class);

    private final LocalAgents agents = new LocalAgents(this);
    private final DeadLetters deadLetters;
    private final MessageCodec codec;
    private final Clock clock;

    private InProcessRuntime(Builder builder) {
        this.deadLetters = builder.deadLetters;
        this.codec = builder.codec;
        this.clock = builder.clock;
    }

    /** A runtime with in-memory dead letters and a plain codec. */
    public static InProcessRuntime create() {
        return builder().build();
    }

    /** A builder, to choose where dead letters go and how messages are encoded. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void register(String agentType, Function<AgentId, ? extends RoutedAgent> factory) {
        Names.checkType("agent type", agentType);
        agents.register(agentType, factory);
    }

    @Override
    public void subscribe(Subscription subscription) {
        agents.subscribe(subscription);
    }

    @Override
    public void unsubscribe(Subscription subscription) {
        agents.unsubscribe(subscription);
    }

    @Override
    public void publish(Object message, TopicId topic, @Nullable AgentId sender) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(topic, "topic");
        String id = nextMessageId();
        if (agents.stopped()) {
            deadLetter(DeliveryFailure.STOPPED, "the runtime is stopped", message, id, sender, topic, null);
            return;
        }
        Set<AgentId> recipients = agents.recipients(topic);
        if (recipients.isEmpty()) {
            deadLetter(DeliveryFailure.NO_SUBSCRIBER, "no subscription matches topic " + topic, message, id, sender, topic, null);
            return;
        }
        for (AgentId recipient : recipients) {
            if (!agents.registered(recipient.type())) {
                deadLetter(DeliveryFailure.UNKNOWN_AGENT_TYPE, LocalAgents.unknownType(recipient), message, id, sender, topic, recipient);
            } else {
                MessageContext context = new MessageContext(id, sender, topic, new CancellationToken());
                agents.deliver(recipient, message, context, null, outcome -> {
                    if (outcome instanceof LocalAgents.Failed failed) {
                        deadLetter(failed.reason(), failed.detail(), message, id, sender, topic, recipient);
                    }
                });
            }
        }
    }

    @Override
    public CompletableFuture<Object> send(Object message, AgentId recipient, @Nullable AgentId sender) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(recipient, "recipient");
        CancellationToken token = new CancellationToken();
        CompletableFuture<Object> reply = new CompletableFuture<>();
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                token.cancel();
            }
        });
        if (agents.stopped()) {
            reply.completeExceptionally(new DeliveryException(DeliveryFailure.STOPPED, recipient, "the runtime is stopped", null));
        } else if (!agents.registered(recipient.type())) {
            reply.completeExceptionally(new DeliveryException(
                    DeliveryFailure.UNKNOWN_AGENT_TYPE, recipient, LocalAgents.unknownType(recipient), null));
        } else {
            String id = nextMessageId();
            agents.deliver(recipient, message, new MessageContext(id, sender, null, token), reply, outcome -> {
                switch (outcome) {
                    case LocalAgents.Handled handled -> reply.complete(handled.reply());
                    case LocalAgents.Failed failed -> reply.completeExceptionally(
                            new DeliveryException(failed.reason(), recipient, failed.detail(), failed.cause()));
                    case LocalAgents.Declined declined -> reply.completeExceptionally(new DeliveryException(DeliveryFailure.DECLINED,
                            recipient, declined.recipient() + " does not handle it here: " + declined.why(), null));
                    case LocalAgents.Skipped skipped -> { }
                }
            });
        }
        return reply;
    }

    /**
     * A new message id, unique across runtimes and restarts (a journaled turn is named after its
     * message's id) without a secure random number per message: a version 7 UUID, which carries the
     * millisecond so that the runs of journaled turns sort by time (decision 63).
     */
    private static String nextMessageId() {
        return TimeOrderedIds.uuid();
    }

    @Override
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public JsonNode saveState() {
        return agents.saveState();
    }

    @Override
    public void loadState(JsonNode state) {
        agents.loadState(state);
    }

    @Override
    public void stopWhenIdle() {
        if (agents.inHandler()) {
            throw new IllegalStateException("stopWhenIdle() from a handler would wait for that handler; call stop()");
        }
        agents.awaitIdle();
        stop();
    }

    /**
     * Waits until no message is queued or being handled, including those handlers publish and send
     * meanwhile, and leaves the runtime running: for a program (or a test) that feeds it in steps.
     *
     * @throws IllegalStateException if called from a handler, which would wait for itself
     */
    public void awaitIdle() {
        if (agents.inHandler()) {
            throw new IllegalStateException("awaitIdle() from a handler would wait for that handler");
        }
        agents.awaitIdle();
    }

    @Override
    public void stop() {
        agents.stop();
    }

    /** How many agent instances the runtime has made so far (for tests and metrics). */
    public int instanceCount() {
        return agents.instanceCount();
    }

    private void deadLetter(DeliveryFailure reason, String detail, Object message, String id,
            @Nullable AgentId sender, @Nullable TopicId topic, @Nullable AgentId recipient) {
        Envelope envelope;
        String fullDetail = detail;
        try {
            envelope = codec.encode(message, id, sender, topic, recipient);
        } catch (RuntimeException e) {
            envelope = new Envelope(id, MessageTypes.nameOf(message.getClass()),
                    JsonNodeFactory.instance.textNode(String.valueOf(message)), sender, topic, recipient);
            fullDetail = detail + " (payload kept as text: " + e.getMessage() + ")";
        }
        DeadLetter letter = new DeadLetter(envelope, reason, fullDetail, clock.instant());
        LOG.warn("dead letter {} ({}): {}", id, reason, fullDetail);
        try {
            deadLetters.add(letter);
        } catch (RuntimeException e) {
            LOG.error("the dead-letter sink failed to keep message {}: {}", id, letter, e);
        }
    }

    /** Chooses where dead letters go and how messages are encoded. */
    public static final class Builder {

        private DeadLetters deadLetters = new InMemoryDeadLetters();
        private MessageCodec codec = new MessageCodec(new MessageTypes());
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Where published messages nobody handled go; the default keeps the latest 10,000 in memory. */
        public Builder deadLetters(DeadLetters deadLetters) {
            this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
            return this;
        }

        /** The codec for envelopes (of dead letters); the default knows no types and uses a plain Jackson mapper. */
        public Builder codec(MessageCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** The clock that dates dead letters. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The runtime, ready for agents and messages. */
        public InProcessRuntime build() {
            return new InProcessRuntime(this);
        }
    }
}
