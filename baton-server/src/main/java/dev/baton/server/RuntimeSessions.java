package dev.baton.server;

import dev.baton.runtime.handoff.AgentResponse;
import dev.baton.runtime.handoff.ApprovalRequired;
import dev.baton.runtime.handoff.Person;
import dev.baton.runtime.handoff.TurnFailed;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The people who talk to a runtime desk over HTTP, as the {@link Person} of its user agent: what
 * the agents say to a session is queued for the request that waits on it; the person's next
 * message comes with their next request, not from this object.
 */
final class RuntimeSessions implements Person {
    /** What the agents said to a session: an answer, calls waiting for approval, or a failed turn. */
    sealed interface Heard {
        record Answer(AgentResponse response) implements Heard {}

        record Waiting(ApprovalRequired approval) implements Heard {}

        record Failed(TurnFailed failure) implements Heard {}
    }

    private final Map<String, BlockingQueue<Heard>> heard = new ConcurrentHashMap<>();
    /** The last thing heard on each session since its last message, which the chat page shows (the queue is the API's). */
    private final Map<String, Heard> last = new ConcurrentHashMap<>();
    /** The sessions whose person spoke on the chat page and heard nothing since, with what they said ("" for a decision). */
    private final Map<String, String> awaiting = new ConcurrentHashMap<>();

    private BlockingQueue<Heard> of(String session) {
        return heard.computeIfAbsent(session, s -> new LinkedBlockingQueue<>());
    }

    /** Forgets what a session was told and nobody asked for, before a new message to it. */
    void clear(String session) {
        of(session).clear();
        last.remove(session);
        awaiting.remove(session);
    }

    /**
     * Before the person's message (or decision, {@code text} null) from the chat page: forgets what
     * was heard, and the session waits for the agents.
     */
    void said(String session, @Nullable String text) {
        clear(session);
        awaiting.put(session, text == null ? "" : text);
    }

    /**
     * What the person said on the chat page while the agents have said nothing since ("" for a
     * decision); empty when they answered. The session holds the message only once its turn ends.
     */
    Optional<String> awaiting(String session) {
        return Optional.ofNullable(awaiting.get(session));
    }

    /** The last thing the agents said to {@code session} since its last message, which the chat page shows (it stays in the API's queue too). */
    Optional<Heard> last(String session) {
        return Optional.ofNullable(last.get(session));
    }

    private void heard(String session, Heard h) {
        last.put(session, h);
        awaiting.remove(session);
        of(session).add(h);
    }

    /** The next thing the agents say to {@code session}, waiting at most {@code wait}. */
    @Nullable Heard next(String session, Duration wait) throws InterruptedException {
        return of(session).poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Optional<String> firstMessage(String session) {
        return Optional.empty(); // a person over HTTP writes first by sending a message
    }

    @Override
    public Optional<String> reply(String session, AgentResponse answer) {
        heard(session, new Heard.Answer(answer));
        return Optional.empty();
    }

    @Override
    public void waiting(String session, ApprovalRequired approval) {
        heard(session, new Heard.Waiting(approval));
    }

    @Override
    public Optional<String> afterFailure(String session, TurnFailed failure) {
        heard(session, new Heard.Failed(failure));
        return Optional.empty();
    }
}
