package dev.baton.human;

import java.util.Optional;

/**
 * Where a human agent's turns are answered by a person: a console, an HTTP endpoint, a queue. The
 * run asks the channel once per turn of the human agent and blocks until it returns, so a channel
 * is plain blocking code (runs waiting for people should run on virtual threads, as
 * {@code runAsync}, {@code stream} and durable runs do).
 *
 * <p>A channel returns within the request's {@linkplain HumanRequest#deadline() deadline}, with the
 * person's reply or empty when nobody answered; the human agent then gives its configured outcome.
 * It should let an interruption end the wait (the run was cancelled). To stop a run without
 * ending it, so that a durable run stays resumable and asks again later, throw
 * {@link dev.baton.RunCancelled}. Anything else it throws fails the run as a failed model call.
 *
 * @see HumanAgent
 * @see HumanQueue
 */
@FunctionalInterface
public interface HumanChannel {

    /**
     * Shows the person what they need to answer and waits for the reply.
     *
     * @return the person's reply, or empty if nobody answered before the deadline
     */
    Optional<HumanReply> ask(HumanRequest request);
}
