package dev.baton.runtime.handoff;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A person who writes the given lines in order, ends the session at "exit" (or when the lines run
 * out), and writes down what was said. In this module's test-jar, for the tests on Kafka too.
 */
public final class Transcript implements Person {
    public final List<String> said = new CopyOnWriteArrayList<>();
    public final List<AgentResponse> answers = new CopyOnWriteArrayList<>();
    public final List<ApprovalRequired> waited = new CopyOnWriteArrayList<>();
    public final List<TurnFailed> failures = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Deque<String> lines;

    public Transcript(String... lines) {
        this(List.of(lines));
    }

    public Transcript(List<String> lines) {
        this.lines = new ArrayDeque<>(lines);
    }

    @Override
    public Optional<String> firstMessage(String session) {
        return next();
    }

    @Override
    public Optional<String> reply(String session, AgentResponse answer) {
        answers.add(answer);
        said.add(answer.agent() + ": " + answer.text());
        return next();
    }

    @Override
    public void waiting(String session, ApprovalRequired approval) {
        waited.add(approval);
        said.add(approval.agent() + " waits for approval of " + approval.pending().getFirst().toolName());
    }

    @Override
    public Optional<String> afterFailure(String session, TurnFailed failure) {
        failures.add(failure);
        said.add(failure.agent() + " failed: " + failure.error());
        return next();
    }

    /** Waits until the person has left; false if {@code wait} passed first. */
    public boolean awaitEnd(Duration wait) throws InterruptedException {
        return ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized Optional<String> next() {
        String line = lines.pollFirst();
        if (line == null || line.equals("exit")) {
            said.add("(session ended)");
            ended.countDown();
            return Optional.empty();
        }
        said.add("user: " + line);
        return Optional.of(line);
    }
}
