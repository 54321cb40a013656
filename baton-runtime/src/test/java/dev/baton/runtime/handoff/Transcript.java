package dev.baton.runtime.handoff;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A person who writes the given lines in order, ends the session at "exit", and writes down what was said. */
final class Transcript implements Person {
    final List<String> said = new CopyOnWriteArrayList<>();
    final List<AgentResponse> answers = new CopyOnWriteArrayList<>();
    final List<ApprovalRequired> waited = new CopyOnWriteArrayList<>();
    final List<TurnFailed> failures = new CopyOnWriteArrayList<>();
    private final Deque<String> lines;

    Transcript(String... lines) {
        this.lines = new ArrayDeque<>(List.of(lines));
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

    private synchronized Optional<String> next() {
        String line = lines.pollFirst();
        if (line == null || line.equals("exit")) {
            said.add("(session ended)");
            return Optional.empty();
        }
        said.add("user: " + line);
        return Optional.of(line);
    }
}
