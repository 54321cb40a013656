package dev.baton.runtime.handoff;

import dev.baton.RunCancelled;
import dev.baton.human.HumanChannel;
import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import dev.baton.runtime.AgentId;
import dev.baton.runtime.AgentRuntime;
import dev.baton.runtime.DeliveryException;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.NotHandledHere;
import dev.baton.runtime.RoutedAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A human agent's channel through the runtime: each turn is sent as a {@link HumanQuestion} to the
 * operator agent of the session, wherever it is hosted (the console of the person on duty, a web
 * server's queue), and its reply is the person's. This is how a human agent hosted by a worker
 * process reaches a person at another one.
 *
 * <pre>{@code
 * RuntimeHumans humans = new RuntimeHumans();          // the human agent's channel, in the desk's definition
 * humans.bind(runtime);                                // where its questions go
 * RuntimeHumans.hostOperator(runtime, consoleChannel); // in the process where the person answers
 * }</pre>
 */
public final class RuntimeHumans implements HumanChannel {
    /** The agent type of the operator. */
    public static final String OPERATOR = "human_operator";

    private volatile @Nullable AgentRuntime runtime;

    /** Sends this channel's questions through {@code runtime}. */
    public RuntimeHumans bind(AgentRuntime runtime) {
        HandoffDesk.registerMessageTypes(runtime.codec().types());
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        return this;
    }

    /**
     * Hosts the operator on {@code runtime}: the questions of every session are answered by
     * {@code people} (a console, a {@link dev.baton.human.HumanQueue}), one at a time per session.
     */
    public static void hostOperator(AgentRuntime runtime, HumanChannel people) {
        hostOperator(runtime, people, session -> true);
    }

    /**
     * Hosts the operator of the sessions {@code sessions} accepts on {@code runtime}: their questions
     * are answered by {@code people}; those of other sessions are left to the operator that hosts
     * them ({@link dev.baton.runtime.NotHandledHere}). A console that talks on one session hosts the
     * operator of that session alone, so that on a broker shared with other consoles (each in a
     * consumer group of its own, each receiving every question) only its person answers it.
     */
    public static void hostOperator(AgentRuntime runtime, HumanChannel people, Predicate<String> sessions) {
        Objects.requireNonNull(people, "people");
        Objects.requireNonNull(sessions, "sessions");
        HandoffDesk.registerMessageTypes(runtime.codec().types());
        runtime.register(OPERATOR, id -> sessions.test(id.key()) ? new Operator(people)
                : new Elsewhere("the operator of session '" + id.key() + "' is hosted elsewhere"));
    }

    /**
     * @throws IllegalStateException if the channel is not bound to a runtime, or the request has no session
     * @throws RunCancelled if the wait is interrupted (the run stays resumable)
     */
    @Override
    public Optional<HumanReply> ask(HumanRequest request) {
        AgentRuntime rt = runtime;
        if (rt == null) {
            throw new IllegalStateException("The human agent '" + request.agent() + "' asks through the runtime, but its "
                    + "RuntimeHumans channel is not bound to one: call bind(runtime)");
        }
        if (request.sessionId() == null) {
            throw new IllegalStateException("The human agent '" + request.agent() + "' was asked outside a session; "
                    + "a question through the runtime goes to the operator of a session");
        }
        long waitMillis = Math.max(1, Duration.between(Instant.now(), request.deadline()).toMillis());
        CompletableFuture<HumanAnswer> reply = rt.send(HumanQuestion.of(request), new AgentId(OPERATOR, request.sessionId()),
                HumanAnswer.class);
        try {
            return reply.get(waitMillis, TimeUnit.MILLISECONDS).toReply();
        } catch (TimeoutException e) {
            reply.cancel(true);
            return Optional.empty();
        } catch (InterruptedException e) {
            reply.cancel(true);
            Thread.currentThread().interrupt();
            throw new RunCancelled("The human agent '" + request.agent() + "' stopped waiting for the operator: interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeliveryException d) {
                throw new IllegalStateException("The question of human agent '" + request.agent() + "' did not reach an operator: "
                        + d.getMessage(), d);
            }
            throw new IllegalStateException("The operator failed to answer human agent '" + request.agent() + "': " + cause, cause);
        }
    }

    /** The operator of a session another runtime hosts: declines its questions. */
    static final class Elsewhere extends RoutedAgent {
        Elsewhere(String why) {
            answer(HumanQuestion.class, (HumanQuestion question, MessageContext context) -> new NotHandledHere(why));
        }
    }

    /** The person on duty, answering the questions of one session. */
    static final class Operator extends RoutedAgent {
        Operator(HumanChannel people) {
            answer(HumanQuestion.class, (HumanQuestion question, MessageContext context) ->
                    HumanAnswer.of(people.ask(question.toRequest())));
        }
    }
}
