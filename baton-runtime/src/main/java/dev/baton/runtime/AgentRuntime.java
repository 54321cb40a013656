package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Hosts agents and carries messages between them. Agents are registered by type with a factory and
 * created on their first message, one instance per {@link AgentId}; {@link Subscription}s say
 * which agents receive what is published on a topic. Each instance handles one message at a time,
 * in the order they reached it; different instances work in parallel.
 *
 * <p>Nothing is dropped silently: a send that cannot be handled completes its future with a
 * {@link DeliveryException}, a published message that cannot be handled becomes a
 * {@link DeadLetter} in {@link #deadLetters()}.
 *
 * <p>{@link InProcessRuntime} runs everything in this process.
 */
public interface AgentRuntime extends AutoCloseable {

    /**
     * Registers the agents of {@code agentType}: {@code factory} makes the instance for an id the
     * first time a message reaches it.
     *
     * @throws IllegalArgumentException if {@code agentType} is already registered
     */
    void register(String agentType, Function<AgentId, ? extends RoutedAgent> factory);

    /** Adds {@code subscription}; adding an equal one again does nothing. */
    void subscribe(Subscription subscription);

    /** Removes {@code subscription}, if present. */
    void unsubscribe(Subscription subscription);

    /** Publishes {@code message} on {@code topic} from outside the runtime's agents. */
    default void publish(Object message, TopicId topic) {
        publish(message, topic, (AgentId) null);
    }

    /**
     * Delivers {@code message} to every agent a subscription maps {@code topic} to (once each, even
     * if several subscriptions match). Returns at once; a delivery that fails becomes a
     * {@link DeadLetter}, and so does a message no subscription matches.
     */
    void publish(Object message, TopicId topic, @Nullable AgentId sender);

    /** Sends {@code message} to {@code recipient} from outside the runtime's agents. */
    default CompletableFuture<Object> send(Object message, AgentId recipient) {
        return send(message, recipient, (AgentId) null);
    }

    /**
     * Sends {@code message} to {@code recipient}; the future completes with the handler's reply
     * ({@code null} for a handler that returns nothing), or with a {@link DeliveryException}.
     * Cancelling the future cancels the handler's {@link CancellationToken}.
     */
    CompletableFuture<Object> send(Object message, AgentId recipient, @Nullable AgentId sender);

    /** Like {@link #send(Object, AgentId)}, for a reply of {@code replyType}; another reply fails the future with a {@link ClassCastException}. */
    default <R> CompletableFuture<R> send(Object message, AgentId recipient, Class<R> replyType) {
        return Futures.typed(send(message, recipient), replyType);
    }

    /** Where published messages nobody handled go. */
    DeadLetters deadLetters();

    /** The codec that makes envelopes of messages (for dead letters and across processes). */
    MessageCodec codec();

    /**
     * The state of every agent instance the runtime has created, as JSON:
     * {@code {"agents": [{"type": ..., "key": ..., "state": ...}]}}. Each instance's state is taken
     * between two of its messages.
     */
    JsonNode saveState();

    /**
     * Gives each agent in {@code state} (as {@link #saveState} wrote it) its saved state, creating
     * the instances that do not exist yet.
     *
     * @throws IllegalArgumentException if the JSON is not a saved state or names an agent type not registered
     */
    void loadState(JsonNode state);

    /**
     * Waits until no message is queued or being handled, including the messages handlers publish
     * and send while the runtime waits, then {@link #stop() stops}.
     *
     * @throws IllegalStateException if called from a handler, which would wait for itself
     */
    void stopWhenIdle();

    /**
     * Stops: handlers that are running are told through their {@link CancellationToken} and
     * finish, messages not yet handled fail with {@link DeliveryFailure#STOPPED} (sends) or become
     * dead letters (publishes), and later messages do the same. Returns when no handler runs.
     * Called from a handler, it returns without waiting for that handler.
     */
    void stop();

    /** {@link #stop()}. */
    @Override
    default void close() {
        stop();
    }
}
