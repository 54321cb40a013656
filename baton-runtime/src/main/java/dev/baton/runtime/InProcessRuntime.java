package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.runtime.internal.Pending;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** The runtime whose handler the current thread is running, if any. */
    private static final ThreadLocal<InProcessRuntime> IN_HANDLER = new ThreadLocal<>();

    private final Map<String, Function<AgentId, ? extends RoutedAgent>> factories = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<AgentId, Instance> instances = new ConcurrentHashMap<>();
    private final Pending pending = new Pending();
    private final DeadLetters deadLetters;
    private final MessageCodec codec;
    private final Clock clock;
    private volatile boolean stopped;

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
        Objects.requireNonNull(factory, "factory");
        if (factories.putIfAbsent(agentType, factory) != null) {
            throw new IllegalArgumentException("agent type '" + agentType + "' is already registered");
        }
    }

    @Override
    public void subscribe(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        synchronized (subscriptions) {
            if (!subscriptions.contains(subscription)) {
                subscriptions.add(subscription);
            }
        }
    }

    @Override
    public void unsubscribe(Subscription subscription) {
        subscriptions.remove(subscription);
    }

    @Override
    public void publish(Object message, TopicId topic, @Nullable AgentId sender) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(topic, "topic");
        String id = UUID.randomUUID().toString();
        if (stopped) {
            deadLetter(DeliveryFailure.STOPPED, "the runtime is stopped", message, id, sender, topic, null);
            return;
        }
        Set<AgentId> recipients = new LinkedHashSet<>(4);
        for (Subscription subscription : subscriptions) {
            subscription.recipient(topic).ifPresent(recipients::add);
        }
        if (recipients.isEmpty()) {
            deadLetter(DeliveryFailure.NO_SUBSCRIBER, "no subscription matches topic " + topic, message, id, sender, topic, null);
            return;
        }
        for (AgentId recipient : recipients) {
            if (!factories.containsKey(recipient.type())) {
                deadLetter(DeliveryFailure.UNKNOWN_AGENT_TYPE, unknownType(recipient), message, id, sender, topic, recipient);
            } else {
                enqueue(recipient, new Delivery(message, new MessageContext(id, sender, topic, new CancellationToken()), null));
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
        if (stopped) {
            reply.completeExceptionally(new DeliveryException(DeliveryFailure.STOPPED, recipient, "the runtime is stopped", null));
        } else if (!factories.containsKey(recipient.type())) {
            reply.completeExceptionally(new DeliveryException(DeliveryFailure.UNKNOWN_AGENT_TYPE, recipient, unknownType(recipient), null));
        } else {
            String id = UUID.randomUUID().toString();
            enqueue(recipient, new Delivery(message, new MessageContext(id, sender, null, token), reply));
        }
        return reply;
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
        List<Instance> all = new ArrayList<>(instances.values());
        all.sort(Comparator.comparing((Instance i) -> i.id.type()).thenComparing(i -> i.id.key()));
        ObjectNode saved = JsonNodeFactory.instance.objectNode();
        ArrayNode agents = saved.putArray("agents");
        for (Instance instance : all) {
            instance.lock.lock();
            try {
                if (instance.agent != null) {
                    ObjectNode entry = agents.addObject();
                    entry.put("type", instance.id.type());
                    entry.put("key", instance.id.key());
                    entry.set("state", instance.agent.saveState());
                }
            } finally {
                instance.lock.unlock();
            }
        }
        return saved;
    }

    @Override
    public void loadState(JsonNode state) {
        Objects.requireNonNull(state, "state");
        JsonNode agents = state.get("agents");
        if (agents == null || !agents.isArray()) {
            throw new IllegalArgumentException("not a saved runtime state: expected {\"agents\": [...]}");
        }
        for (JsonNode entry : agents) {
            if (!entry.path("type").isTextual() || !entry.path("key").isTextual() || !entry.has("state")) {
                throw new IllegalArgumentException("not a saved agent state (needs type, key and state): " + entry);
            }
            AgentId id = new AgentId(entry.get("type").asText(), entry.get("key").asText());
            if (!factories.containsKey(id.type())) {
                throw new IllegalArgumentException("cannot load the state of " + id + ": " + unknownType(id));
            }
        }
        for (JsonNode entry : agents) {
            AgentId id = new AgentId(entry.get("type").asText(), entry.get("key").asText());
            Instance instance = instances.computeIfAbsent(id, Instance::new);
            instance.lock.lock();
            try {
                agentOf(instance).loadState(entry.get("state"));
            } finally {
                instance.lock.unlock();
            }
        }
    }

    @Override
    public void stopWhenIdle() {
        if (IN_HANDLER.get() == this) {
            throw new IllegalStateException("stopWhenIdle() from a handler would wait for that handler; call stop()");
        }
        pending.awaitNone();
        stop();
    }

    @Override
    public void stop() {
        stopped = true;
        for (Instance instance : instances.values()) {
            CancellationToken handling = instance.handling;
            if (handling != null) {
                handling.cancel();
            }
        }
        if (IN_HANDLER.get() != this) {
            pending.awaitNone();
        }
    }

    /** How many agent instances the runtime has made so far (for tests and metrics). */
    public int instanceCount() {
        return instances.size();
    }

    private void enqueue(AgentId recipient, Delivery delivery) {
        pending.add();
        Instance instance = instances.computeIfAbsent(recipient, Instance::new);
        instance.mailbox.post(() -> handle(instance, delivery));
    }

    private void handle(Instance instance, Delivery delivery) {
        IN_HANDLER.set(this);
        try {
            if (stopped) {
                fail(instance, delivery, DeliveryFailure.STOPPED, "the runtime stopped before " + instance.id + " handled it", null);
                return;
            }
            if (delivery.reply() != null && delivery.reply().isDone()) {
                return; // the sender cancelled before the message was handled
            }
            instance.lock.lock();
            try {
                deliver(instance, delivery);
            } finally {
                instance.lock.unlock();
            }
        } catch (RuntimeException | Error e) {
            // Never reached by a handler's own failure (deliver reports those); a mailbox must outlive any bug here.
            LOG.error("delivering message {} to {} failed", delivery.context().messageId(), instance.id, e);
            if (delivery.reply() != null) {
                delivery.reply().completeExceptionally(e);
            }
        } finally {
            IN_HANDLER.remove();
            pending.done();
        }
    }

    private void deliver(Instance instance, Delivery delivery) {
        RoutedAgent agent;
        try {
            agent = agentOf(instance);
        } catch (RuntimeException | LinkageError e) {
            fail(instance, delivery, DeliveryFailure.AGENT_CREATION_FAILED,
                    "the factory of agent type '" + instance.id.type() + "' failed for " + instance.id + ": " + e, e);
            return;
        }
        Class<?> type = delivery.message().getClass();
        try {
            if (!agent.handles(type)) {
                fail(instance, delivery, DeliveryFailure.NO_HANDLER, "agent " + instance.id + " ("
                        + agent.getClass().getName() + ") has no handler for message type '" + MessageTypes.nameOf(type)
                        + "' (" + type.getName() + ")", null);
                return;
            }
        } catch (IllegalStateException e) {
            fail(instance, delivery, DeliveryFailure.NO_HANDLER, "agent " + instance.id + ": " + e.getMessage(), e);
            return;
        }
        instance.handling = delivery.context().cancellation();
        try {
            Object result = agent.dispatch(delivery.message(), delivery.context());
            if (delivery.reply() != null) {
                delivery.reply().complete(result);
            }
        } catch (Throwable e) {
            fail(instance, delivery, DeliveryFailure.HANDLER_FAILED, "the handler of agent " + instance.id + " for message type '"
                    + MessageTypes.nameOf(type) + "' threw " + e, e);
        } finally {
            instance.handling = null;
        }
    }

    private RoutedAgent agentOf(Instance instance) {
        RoutedAgent agent = instance.agent;
        if (agent == null) {
            Function<AgentId, ? extends RoutedAgent> factory = factories.get(instance.id.type());
            if (factory == null) {
                throw new IllegalStateException(unknownType(instance.id));
            }
            agent = factory.apply(instance.id);
            if (agent == null) {
                throw new IllegalStateException("the factory returned null");
            }
            agent.bind(instance.id, this);
            instance.agent = agent;
        }
        return agent;
    }

    private void fail(Instance instance, Delivery delivery, DeliveryFailure reason, String detail, @Nullable Throwable cause) {
        CompletableFuture<Object> reply = delivery.reply();
        if (reply != null) {
            reply.completeExceptionally(new DeliveryException(reason, instance.id, detail, cause));
        } else {
            MessageContext context = delivery.context();
            deadLetter(reason, detail, delivery.message(), context.messageId(), context.sender(), context.topic(), instance.id);
        }
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

    private static String unknownType(AgentId id) {
        return "no agent type '" + id.type() + "' is registered (message for " + id + ")";
    }

    /** One message on its way to one instance; {@code reply} is null for a published message. */
    private record Delivery(Object message, MessageContext context, @Nullable CompletableFuture<Object> reply) {}

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
