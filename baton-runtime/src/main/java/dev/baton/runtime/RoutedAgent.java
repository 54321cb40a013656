package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.baton.runtime.internal.AgentAccess;
import dev.baton.runtime.internal.HandlerMethods;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An agent of the runtime: one instance per {@link AgentId}, made by the factory registered for
 * its type, handling one message at a time. Handlers are methods annotated with {@link Handles},
 * or lambdas registered in the constructor with {@link #on} and {@link #answer}; a message whose
 * type has no handler is not dropped but fails visibly ({@link DeliveryFailure#NO_HANDLER}).
 *
 * <p>Inside a handler, {@link #publish} and {@link #send} carry this agent as the sender. A handler
 * must not wait for the reply of a send to its own instance: the instance handles one message at a
 * time, so that reply would never come.
 */
public abstract class RoutedAgent {

    static {
        AgentAccess.set(new AgentAccess.Bridge() {
            @Override
            public void bind(RoutedAgent agent, AgentId id, AgentRuntime runtime) {
                agent.bind(id, runtime);
            }

            @Override
            public boolean handles(RoutedAgent agent, Class<?> messageType) {
                return agent.handles(messageType);
            }

            @Override
            public @Nullable Object dispatch(RoutedAgent agent, Object message, MessageContext context) throws Throwable {
                return agent.dispatch(message, context);
            }

            @Override
            public boolean dormantWhenIdle(RoutedAgent agent) {
                return agent.dormantWhenIdle();
            }
        });
    }

    private @Nullable AgentId id;
    private @Nullable AgentRuntime runtime;
    private @Nullable Map<Class<?>, MessageHandler<Object>> lambdas;

    /** For subclasses. */
    protected RoutedAgent() {}

    /**
     * This instance's id.
     *
     * @throws IllegalStateException in the constructor, before the runtime has bound the instance
     */
    protected final AgentId id() {
        if (id == null) {
            throw new IllegalStateException("the agent's id is known once the runtime has created it, not in its constructor");
        }
        return id;
    }

    /** The runtime this instance lives in. */
    protected final AgentRuntime runtime() {
        if (runtime == null) {
            throw new IllegalStateException("the agent's runtime is known once the runtime has created it, not in its constructor");
        }
        return runtime;
    }

    /** Publishes {@code message} on {@code topic}, with this agent as the sender. */
    protected final void publish(Object message, TopicId topic) {
        runtime().publish(message, topic, id());
    }

    /**
     * Sends {@code message} to {@code recipient}, with this agent as the sender; the future holds
     * the reply, or fails with a {@link DeliveryException}.
     */
    protected final CompletableFuture<Object> send(Object message, AgentId recipient) {
        return runtime().send(message, recipient, id());
    }

    /** Like {@link #send(Object, AgentId)}, for a reply of {@code replyType}. */
    protected final <R> CompletableFuture<R> send(Object message, AgentId recipient, Class<R> replyType) {
        return Futures.typed(send(message, recipient), replyType);
    }

    /**
     * Handles messages of {@code type} (and its subtypes) with {@code handler}, replying {@code null}.
     * Call it in the constructor.
     */
    protected final <M> void on(Class<M> type, BiConsumer<? super M, MessageContext> handler) {
        Objects.requireNonNull(handler, "handler");
        answer(type, (message, context) -> {
            handler.accept(message, context);
            return null;
        });
    }

    /**
     * Handles messages of {@code type} (and its subtypes) with {@code handler}, whose result is the
     * reply. Call it in the constructor.
     *
     * @throws IllegalStateException if {@code type} already has a handler
     */
    @SuppressWarnings("unchecked")
    protected final <M> void answer(Class<M> type, MessageHandler<? super M> handler) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        if (lambdas == null) {
            lambdas = new LinkedHashMap<>();
        }
        if (lambdas.containsKey(type) || HandlerMethods.of(getClass()).types().contains(type)) {
            throw new IllegalStateException(getClass().getName() + " already has a handler for " + type.getName());
        }
        lambdas.put(type, (MessageHandler<Object>) handler);
    }

    /**
     * Whether the runtime may let this instance go while it has no message to handle, keeping only
     * its {@link #saveState() saved state} (nothing, when that is an empty object), and make a new
     * one from the factory, given that state, for its next message. True for an agent whose
     * {@code saveState} holds everything it keeps between messages: then a session that went quiet
     * costs a few bytes instead of an object graph, and ten thousand ended conversations do not
     * stay in the heap. False by default, so an agent that keeps state in fields it does not save
     * keeps it.
     */
    protected boolean dormantWhenIdle() {
        return false;
    }

    /**
     * This instance's state, to be given back to {@link #loadState} of a new instance with the same
     * id (after a restart, or on another process). The default is an empty object: an agent that
     * keeps state in fields overrides both methods.
     */
    public JsonNode saveState() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Restores what {@link #saveState} returned. The default does nothing. */
    public void loadState(JsonNode state) {}

    /**
     * Makes this object the instance {@code id} of {@code runtime}.
     *
     * @throws IllegalStateException if it already is another instance: a factory returning one
     *     object for several keys would mix their messages and state
     */
    final void bind(AgentId id, AgentRuntime runtime) {
        if (this.id != null && (!this.id.equals(id) || this.runtime != runtime)) {
            throw new IllegalStateException("this " + getClass().getName() + " is already the agent " + this.id
                    + "; the factory must make a new agent for each id");
        }
        this.id = id;
        this.runtime = runtime;
    }

    /**
     * Whether a handler takes messages of {@code type}.
     *
     * @throws IllegalStateException if several handlers take supertypes of it and none takes it exactly
     */
    final boolean handles(Class<?> type) {
        return handlerFor(type) != null;
    }

    /**
     * Hands {@code message} to its handler and returns the reply; what the handler throws comes out
     * as is.
     *
     * @throws IllegalStateException if no handler takes it, or several do
     */
    final @Nullable Object dispatch(Object message, MessageContext context) throws Throwable {
        Object handler = handlerFor(message.getClass());
        if (handler == null) {
            throw new IllegalStateException("no handler for " + message.getClass().getName());
        }
        if (handler instanceof Method method) {
            return HandlerMethods.invoke(method, this, message, context);
        }
        @SuppressWarnings("unchecked")
        MessageHandler<Object> lambda = (MessageHandler<Object>) handler;
        return lambda.handle(message, context);
    }

    /** The handler of {@code type}: a registered lambda or a method, exact types first; null if none. */
    private @Nullable Object handlerFor(Class<?> type) {
        if (lambdas != null && lambdas.containsKey(type)) {
            return lambdas.get(type);
        }
        Optional<Method> method = HandlerMethods.of(getClass()).find(type);
        if (method.isPresent() && method.get().getParameterTypes()[0] == type) {
            return method.get();
        }
        Optional<MessageHandler<Object>> lambda = lambdaFor(type);
        if (lambda.isPresent() && method.isPresent()) {
            throw new IllegalStateException("both a registered handler and a @Handles method accept " + type.getName());
        }
        return lambda.isPresent() ? lambda.get() : method.orElse(null);
    }

    private Optional<MessageHandler<Object>> lambdaFor(Class<?> type) {
        if (lambdas == null) {
            return Optional.empty();
        }
        MessageHandler<Object> exact = lambdas.get(type);
        if (exact != null) {
            return Optional.of(exact);
        }
        List<MessageHandler<Object>> candidates = new ArrayList<>();
        lambdas.forEach((t, h) -> {
            if (t.isAssignableFrom(type)) {
                candidates.add(h);
            }
        });
        if (candidates.size() > 1) {
            throw new IllegalStateException("several registered handlers accept " + type.getName());
        }
        return candidates.stream().findFirst();
    }
}
