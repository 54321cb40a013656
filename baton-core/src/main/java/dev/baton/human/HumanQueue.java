package dev.baton.human;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link HumanChannel} in memory: each turn of a human agent puts a {@link Question} on the
 * queue, and people take questions from other threads ({@link #poll(Duration)}) and answer them.
 * The run waits until its question is answered or its deadline passes; a question nobody answered
 * in time leaves the queue, and answering it then is refused. Useful from application code (a
 * support console in the same JVM, a web handler) and in tests. One queue may serve several
 * human agents; each question names its agent.
 */
public final class HumanQueue implements HumanChannel {
    private final LinkedBlockingQueue<Question> waiting = new LinkedBlockingQueue<>();

    /** Puts the question on the queue and waits for its answer, until the request's deadline. */
    @Override
    public Optional<HumanReply> ask(HumanRequest request) {
        Question question = new Question(request);
        waiting.add(question);
        try {
            return question.await();
        } finally {
            waiting.remove(question);
        }
    }

    /**
     * Takes the oldest question nobody has taken, waiting up to {@code timeout} for one. A taken
     * question is the taker's to answer: it is no longer {@linkplain #pending() pending}.
     *
     * @return the question, or empty if none came in time
     * @throws CancellationException if the thread is interrupted while waiting (the interrupt is kept)
     */
    public Optional<Question> poll(Duration timeout) {
        try {
            return Optional.ofNullable(waiting.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("Interrupted while waiting for a question for a human agent");
        }
    }

    /** The questions waiting to be taken, oldest first. */
    public List<Question> pending() {
        return List.copyOf(waiting);
    }

    /** One turn of a human agent, waiting for a person's reply. */
    public static final class Question {
        private final String id = UUID.randomUUID().toString();
        private final HumanRequest request;
        private final CompletableFuture<HumanReply> reply = new CompletableFuture<>();
        private boolean closed;

        private Question(HumanRequest request) {
            this.request = request;
        }

        /**
         * This question's id, random and unique: a person's tools (a web page, an HTTP API) name
         * the question they answer by it.
         */
        public String id() {
            return id;
        }

        /** What the person needs to answer: the agent, the conversation, the handoffs they may use. */
        public HumanRequest request() {
            return request;
        }

        /** Answers with a message; the human agent keeps the conversation. */
        public void reply(String text) {
            answer(HumanReply.say(text));
        }

        /**
         * Answers the question; the waiting run continues with the reply.
         *
         * @throws IllegalArgumentException if the reply hands off to an agent the human agent does
         *     not offer (the question stays open, to be answered again)
         * @throws IllegalStateException if the question was already answered, or nobody waits for
         *     it any more (its deadline passed or its run was cancelled)
         */
        public void answer(HumanReply answer) {
            request.check(answer);
            synchronized (this) {
                if (reply.isDone()) {
                    throw new IllegalStateException("This question of human agent '" + request.agent() + "' was already answered");
                }
                if (closed) {
                    throw new IllegalStateException("Nobody waits for this answer any more: the question of human agent '"
                            + request.agent() + "' passed its deadline (" + request.deadline() + ") or its run was cancelled");
                }
                reply.complete(answer);
            }
        }

        /** Whether the run still waits for this question's answer. */
        public synchronized boolean isOpen() {
            return !closed && !reply.isDone();
        }

        private Optional<HumanReply> await() {
            try {
                long nanos = Math.max(0, Duration.between(Instant.now(), request.deadline()).toNanos());
                return Optional.of(reply.get(nanos, TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                return close();
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new CancellationException("Interrupted while waiting for a person to answer for human agent '"
                        + request.agent() + "'");
            } catch (ExecutionException e) {
                throw new IllegalStateException("A question's reply is never completed exceptionally", e);
            }
        }

        /** Stops accepting answers; an answer that came in first still counts. */
        private synchronized Optional<HumanReply> close() {
            closed = true;
            return reply.isDone() ? Optional.of(reply.join()) : Optional.empty();
        }

        @Override
        public String toString() {
            return "Question[" + request.agent() + ": " + Objects.requireNonNullElse(request.lastUserMessage(), "") + "]";
        }
    }
}
