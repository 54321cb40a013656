package dev.baton.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.internal.TimeOrderedIds;
import dev.baton.runtime.AgentId;
import dev.baton.runtime.AgentRuntime;
import dev.baton.runtime.CancellationToken;
import dev.baton.runtime.DeliveryFailure;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.Subscription;
import dev.baton.runtime.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. The agents one process hosts, shared by every runtime (in process, on Kafka): the
 * factories per agent type, the subscriptions, the instances made lazily per {@link AgentId}, each
 * with a mailbox that handles one message at a time in the order delivered, handler dispatch with
 * a bounded number of attempts, an optional memory of handled message ids (to drop duplicates),
 * and the instances' saved state. A runtime decides where messages come from and what an
 * {@link Outcome} means (a reply, a dead letter, an offset to commit); this class only hosts.
 */
public final class LocalAgents {

    private static final Logger LOG = LoggerFactory.getLogger(LocalAgents.class);
    private static final ThreadLocal<Handling> HANDLING = new ThreadLocal<>();

    private final AgentRuntime owner;
    private final int maxAttempts;
    private final Duration backoff;
    private final @Nullable HandledIds handled;
    private final Map<String, Function<AgentId, ? extends RoutedAgent>> factories = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<AgentId, Instance> instances = new ConcurrentHashMap<>();
    /** The saved states of instances let go while idle (agents that allow it), until their next message. */
    private final Map<AgentId, JsonNode> dormant = new ConcurrentHashMap<>();
    private final Pending pending = new Pending();
    private volatile boolean stopped;

    /** Agents for {@code owner} that handle each message once, without remembering ids. */
    public LocalAgents(AgentRuntime owner) {
        this(owner, 1, Duration.ZERO, 0);
    }

    /**
     * Agents for {@code owner} whose handlers get {@code maxAttempts} tries per message, waiting
     * {@code backoff} times the attempt number between tries, and which remember the latest
     * {@code handledIds} (recipient, message id) pairs of published messages to skip duplicates
     * ({@code 0}: remember none).
     */
    public LocalAgents(AgentRuntime owner, int maxAttempts, Duration backoff, int handledIds) {
        this.owner = Objects.requireNonNull(owner, "owner");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative, was " + backoff);
        }
        if (handledIds < 0) {
            throw new IllegalArgumentException("handledIds must not be negative, was " + handledIds);
        }
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.handled = handledIds == 0 ? null : new HandledIds(handledIds);
    }

    /** What became of one delivery. */
    public sealed interface Outcome permits Handled, Declined, Failed, Skipped {}

    /**
     * The handler returned {@code reply}; {@code effects} are the futures a runtime attached while
     * the handler ran (e.g. the acknowledgements of the messages it published).
     */
    public record Handled(@Nullable Object reply, List<CompletableFuture<?>> effects) implements Outcome {}

    /** The handler answered {@link dev.baton.runtime.NotHandledHere}: no reply from here, and no failure. */
    public record Declined(AgentId recipient, String why) implements Outcome {}

    /** The message was not handled, for {@code reason}. */
    public record Failed(DeliveryFailure reason, AgentId recipient, String detail, @Nullable Throwable cause,
            List<CompletableFuture<?>> effects) implements Outcome {}

    /** The message was not handled and needs nothing more: a duplicate, or a send its sender gave up. */
    public record Skipped(String why) implements Outcome {}

    /** What the current thread's handler is handling: the runtime reads it to derive ids and attach effects. */
    public static final class Handling {

        private final LocalAgents agents;
        private final AgentId recipient;
        private final String messageId;
        private final List<CompletableFuture<?>> effects;
        private int children;

        private Handling(LocalAgents agents, AgentId recipient, String messageId, List<CompletableFuture<?>> effects) {
            this.agents = agents;
            this.recipient = recipient;
            this.messageId = messageId;
            this.effects = effects;
        }

        /** The hosting agents. */
        public LocalAgents agents() {
            return agents;
        }

        /** The agent whose handler runs. */
        public AgentId recipient() {
            return recipient;
        }

        /** The id of the message it handles. */
        public String messageId() {
            return messageId;
        }

        /**
         * The id of the next message this handler sends or publishes: derived from the handled
         * message's id, the handling agent and the message's place in this attempt, so that a re-run
         * of the handler that does the same things gives its messages the same ids.
         */
        public String nextChildId() {
            int n = children++;
            return TimeOrderedIds.derivedUuid(messageId, messageId + '\n' + recipient + '\n' + n);
        }

        /** Makes the delivery's outcome carry {@code effect}. */
        public void addEffect(CompletableFuture<?> effect) {
            effects.add(effect);
        }
    }

    /** What the current thread's handler handles, or null outside a handler. */
    public static @Nullable Handling current() {
        return HANDLING.get();
    }

    /** Whether the current thread runs a handler of these agents. */
    public boolean inHandler() {
        Handling h = HANDLING.get();
        return h != null && h.agents == this;
    }

    /**
     * Registers the factory of {@code agentType}.
     *
     * @throws IllegalArgumentException if the type is already registered
     */
    public void register(String agentType, Function<AgentId, ? extends RoutedAgent> factory) {
        Objects.requireNonNull(factory, "factory");
        if (factories.putIfAbsent(agentType, factory) != null) {
            throw new IllegalArgumentException("agent type '" + agentType + "' is already registered");
        }
    }

    /** Whether {@code agentType} is registered. */
    public boolean registered(String agentType) {
        return factories.containsKey(agentType);
    }

    /** The registered agent types. */
    public Set<String> agentTypes() {
        return Set.copyOf(factories.keySet());
    }

    /** Adds {@code subscription}; returns false if an equal one was there. */
    public boolean subscribe(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        synchronized (subscriptions) {
            if (subscriptions.contains(subscription)) {
                return false;
            }
            subscriptions.add(subscription);
            return true;
        }
    }

    /** Removes {@code subscription}; returns whether it was there. */
    public boolean unsubscribe(Subscription subscription) {
        return subscriptions.remove(subscription);
    }

    /** The subscriptions, in the order added. */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions);
    }

    /** The agents the subscriptions map {@code topic} to, each once. */
    public Set<AgentId> recipients(TopicId topic) {
        Set<AgentId> recipients = new LinkedHashSet<>(4);
        for (Subscription subscription : subscriptions) {
            subscription.recipient(topic).ifPresent(recipients::add);
        }
        return recipients;
    }

    /**
     * Queues {@code message} for {@code recipient}'s mailbox; {@code whenDone} gets the outcome on the
     * mailbox's thread, before the instance's next message, so it may wait (e.g. for effects to be
     * durable). A delivery whose {@code reply} is already complete (the sender gave up) is skipped.
     */
    public void deliver(AgentId recipient, Object message, MessageContext context,
            @Nullable CompletableFuture<?> reply, Consumer<Outcome> whenDone) {
        pending.add();
        // Counted under the map's lock for this id, so an idle instance is let go only when no
        // delivery holds it (see settle).
        Instance instance = instances.compute(recipient, (id, current) -> {
            Instance i = current != null ? current : new Instance(id);
            i.outstanding++;
            return i;
        });
        instance.mailbox.post(() -> handle(instance, message, context, reply, whenDone));
    }

    /** Forgets that {@code recipient} handled {@code messageId}, so a redelivery is handled again. */
    public void forget(AgentId recipient, String messageId) {
        if (handled != null) {
            handled.remove(dedupeKey(recipient, messageId));
        }
    }

    /** How many deliveries are queued or being handled. */
    public long pending() {
        return pending.count();
    }

    /** Returns when no delivery is queued or being handled. */
    public void awaitIdle() {
        pending.awaitNone();
    }

    /** Whether {@link #stop} was called. */
    public boolean stopped() {
        return stopped;
    }

    /**
     * Refuses new work (later deliveries fail with {@link DeliveryFailure#STOPPED}) and cancels the
     * running handlers' tokens; waits for the queued work to drain unless called from a handler.
     */
    public void stop() {
        stopped = true;
        for (Instance instance : instances.values()) {
            CancellationToken handling = instance.handling;
            if (handling != null) {
                handling.cancel();
            }
        }
        if (!inHandler()) {
            pending.awaitNone();
        }
    }

    /** How many instances exist (not counting those let go while idle). */
    public int instanceCount() {
        return instances.size();
    }

    /** How many instances were let go while idle with a saved state to give their next instance. */
    public int dormantCount() {
        return dormant.size();
    }

    /** The state of every instance, as {@link AgentRuntime#saveState()} describes it. */
    public JsonNode saveState() {
        java.util.TreeMap<AgentId, JsonNode> states = new java.util.TreeMap<>(
                Comparator.comparing(AgentId::type).thenComparing(AgentId::key));
        dormant.forEach(states::put);
        for (Instance instance : new ArrayList<>(instances.values())) {
            instance.lock.lock();
            try {
                if (instance.agent != null) {
                    states.put(instance.id, instance.agent.saveState());
                }
            } finally {
                instance.lock.unlock();
            }
        }
        ObjectNode saved = JsonNodeFactory.instance.objectNode();
        ArrayNode agents = saved.putArray("agents");
        states.forEach((id, state) -> {
            ObjectNode entry = agents.addObject();
            entry.put("type", id.type());
            entry.put("key", id.key());
            entry.set("state", state);
        });
        return saved;
    }

    /** Loads a state {@link #saveState} wrote, as {@link AgentRuntime#loadState} describes it. */
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

    /** The sentence for a message to an agent type nobody registered. */
    public static String unknownType(AgentId id) {
        return "no agent type '" + id.type() + "' is registered (message for " + id + ")";
    }

    private void handle(Instance instance, Object message, MessageContext context,
            @Nullable CompletableFuture<?> reply, Consumer<Outcome> whenDone) {
        try {
            Outcome outcome;
            try {
                outcome = outcome(instance, message, context, reply);
            } catch (RuntimeException | Error e) {
                // Never reached by a handler's own failure; a mailbox must outlive any bug here.
                LOG.error("delivering message {} to {} failed", context.messageId(), instance.id, e);
                outcome = new Failed(DeliveryFailure.HANDLER_FAILED, instance.id, "delivering the message failed: " + e, e, List.of());
            }
            whenDone.accept(outcome);
        } catch (RuntimeException | Error e) {
            LOG.error("the outcome of message {} for {} was not taken", context.messageId(), instance.id, e);
        } finally {
            try {
                settle(instance);
            } finally {
                pending.done();
            }
        }
    }

    /**
     * After a delivery: an instance with no other delivery and an agent that allows it is let go,
     * its saved state kept (if any) for the instance its next message makes.
     */
    private void settle(Instance instance) {
        RoutedAgent agent = instance.agent;
        boolean candidate;
        {
            int[] left = new int[1];
            instances.compute(instance.id, (id, current) -> {
                if (current == instance) {
                    left[0] = --instance.outstanding;
                }
                return current;
            });
            candidate = left[0] == 0 && agent != null && !stopped && AgentAccess.get().dormantWhenIdle(agent);
        }
        if (!candidate) {
            return;
        }
        JsonNode state;
        long generation;
        instance.lock.lock();
        try {
            generation = instance.generation;
            state = agent.saveState();
        } catch (RuntimeException e) {
            LOG.warn("{} could not save its state; it stays in memory: {}", instance.id, e.toString());
            return;
        } finally {
            instance.lock.unlock();
        }
        instances.compute(instance.id, (id, current) -> {
            if (current != instance || instance.outstanding != 0 || instance.generation != generation) {
                return current; // a message came meanwhile: it stays
            }
            if (state != null && !(state.isObject() && state.isEmpty())) {
                dormant.put(id, state);
            }
            return null;
        });
    }

    private Outcome outcome(Instance instance, Object message, MessageContext context, @Nullable CompletableFuture<?> reply) {
        if (stopped) {
            return new Failed(DeliveryFailure.STOPPED, instance.id, "the runtime stopped before " + instance.id + " handled it",
                    null, List.of());
        }
        if (reply != null && reply.isDone()) {
            return new Skipped("the sender gave up before " + instance.id + " handled it");
        }
        // Only published messages are dropped as duplicates: a send's sender waits for a reply, and a
        // sender run again (after a crash) sends under the same id and must get one.
        String key = handled == null || !context.published() ? null : dedupeKey(instance.id, context.messageId());
        if (key != null && handled.contains(key)) {
            return new Skipped("message " + context.messageId() + " was already handled by " + instance.id);
        }
        instance.lock.lock();
        try {
            instance.generation++;
            Outcome outcome = handleLocked(instance, message, context);
            if (key != null && !(outcome instanceof Failed f && f.reason() == DeliveryFailure.STOPPED)) {
                handled.add(key);
            }
            return outcome;
        } finally {
            instance.lock.unlock();
        }
    }

    private Outcome handleLocked(Instance instance, Object message, MessageContext context) {
        AgentAccess.Bridge bridge = AgentAccess.get();
        RoutedAgent agent;
        try {
            agent = agentOf(instance);
        } catch (RuntimeException | LinkageError e) {
            return new Failed(DeliveryFailure.AGENT_CREATION_FAILED, instance.id,
                    "the factory of agent type '" + instance.id.type() + "' failed for " + instance.id + ": " + e, e, List.of());
        }
        Class<?> type = message.getClass();
        try {
            if (!bridge.handles(agent, type)) {
                return new Failed(DeliveryFailure.NO_HANDLER, instance.id, "agent " + instance.id + " ("
                        + agent.getClass().getName() + ") has no handler for message type '" + MessageTypes.nameOf(type)
                        + "' (" + type.getName() + ")", null, List.of());
            }
        } catch (IllegalStateException e) {
            return new Failed(DeliveryFailure.NO_HANDLER, instance.id, "agent " + instance.id + ": " + e.getMessage(), e, List.of());
        }
        List<CompletableFuture<?>> effects = Collections.synchronizedList(new ArrayList<>(2));
        instance.handling = context.cancellation();
        Throwable last = null;
        int attempt = 0;
        try {
            while (true) {
                attempt++;
                HANDLING.set(new Handling(this, instance.id, context.messageId(), effects));
                try {
                    Object reply = bridge.dispatch(agent, message, context);
                    if (reply instanceof dev.baton.runtime.NotHandledHere declined) {
                        return new Declined(instance.id, declined.why());
                    }
                    return new Handled(reply, List.copyOf(effects));
                } catch (Throwable e) {
                    last = e;
                } finally {
                    HANDLING.remove();
                }
                if (attempt >= maxAttempts || stopped || context.cancellation().isCancelled()) {
                    break;
                }
                Duration wait = backoff.multipliedBy(attempt);
                LOG.warn("the handler of {} for message {} threw {} (attempt {} of {}); trying again in {} ms",
                        instance.id, context.messageId(), last, attempt, maxAttempts, wait.toMillis());
                if (!sleep(wait)) {
                    break;
                }
            }
        } finally {
            instance.handling = null;
        }
        String tries = attempt > 1 ? " (" + attempt + " attempts)" : "";
        return new Failed(DeliveryFailure.HANDLER_FAILED, instance.id, "the handler of agent " + instance.id
                + " for message type '" + MessageTypes.nameOf(type) + "' threw " + last + tries, last, List.copyOf(effects));
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
            AgentAccess.get().bind(agent, instance.id, owner);
            JsonNode saved = dormant.remove(instance.id);
            if (saved != null) {
                agent.loadState(saved);
            }
            instance.agent = agent;
        }
        return agent;
    }

    private static boolean sleep(Duration wait) {
        try {
            Thread.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String dedupeKey(AgentId recipient, String messageId) {
        return recipient.type() + '\n' + recipient.key() + '\n' + messageId;
    }

    /**
     * One agent instance's place: its mailbox, the agent once made, and the lock that keeps its
     * messages and its state saves one at a time.
     */
    private static final class Instance {

        final AgentId id;
        final Mailbox mailbox = new Mailbox();
        final ReentrantLock lock = new ReentrantLock();
        @Nullable RoutedAgent agent;
        volatile @Nullable CancellationToken handling;
        /** Deliveries queued or being handled; changed only in the instances map's compute for this id. */
        int outstanding;
        /** Messages handled so far; changed under {@link #lock}. */
        long generation;

        Instance(AgentId id) {
            this.id = id;
        }
    }

    /** The latest handled (recipient, message id) pairs, at most a given number, least recent out first. */
    private static final class HandledIds {

        private final Map<String, Boolean> ids;

        HandledIds(int capacity) {
            this.ids = new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized boolean contains(String key) {
            return ids.get(key) != null;
        }

        synchronized void add(String key) {
            ids.put(key, Boolean.TRUE);
        }

        synchronized void remove(String key) {
            ids.remove(key);
        }
    }
}
