package dev.baton.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.internal.JournalCodec;
import dev.baton.human.HumanQueue;
import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The questions of the desks' human agents, from the {@link HumanQueue} they were built with: the
 * ones waiting, and answering one by its id. A question leaves the queue once answered or expired;
 * the latest ones seen are remembered, so answering one of those again is a conflict rather than
 * an unknown id.
 */
final class Humans {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** How many questions seen are remembered after they left the queue. */
    private static final int REMEMBERED = 1000;

    private final HumanQueue queue;
    private final boolean configured;
    private final Map<String, HumanQueue.Question> seen = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, HumanQueue.Question> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Over {@code queue}, or, when null, over an empty queue of no agent (the server was given none). */
    Humans(@Nullable HumanQueue queue) {
        this.queue = queue != null ? queue : new HumanQueue();
        this.configured = queue != null;
    }

    /** Whether the server was given the queue of its desks' human agents. */
    boolean configured() {
        return configured;
    }

    /** The questions waiting for a person, oldest first. */
    List<HumanQueue.Question> waiting() {
        List<HumanQueue.Question> pending = queue.pending().stream().filter(HumanQueue.Question::isOpen).toList();
        synchronized (seen) {
            pending.forEach(q -> seen.putIfAbsent(q.id(), q));
        }
        return pending;
    }

    /** The waiting questions of run {@code runId}. */
    List<HumanQueue.Question> ofRun(String runId) {
        return waiting().stream().filter(q -> runId.equals(q.request().runId())).toList();
    }

    /** The waiting questions of session {@code sessionId}. */
    List<HumanQueue.Question> ofSession(String sessionId) {
        return waiting().stream().filter(q -> sessionId.equals(q.request().sessionId())).toList();
    }

    /**
     * Answers the question {@code id} with a message and, if {@code handoff} names an agent, a handoff.
     *
     * @throws ApiError 404 for an unknown id, 409 when it was answered or nobody waits for it any
     *     more, 400 for a reply that says nothing or hands off to an agent not offered
     */
    HumanQueue.Question answer(String id, @Nullable String text, @Nullable String handoff) {
        waiting();
        HumanQueue.Question question;
        synchronized (seen) {
            question = seen.get(id);
        }
        if (question == null) {
            throw ApiError.notFound("No question for a person with id '" + id + "'");
        }
        HumanReply reply;
        try {
            reply = new HumanReply(text == null ? "" : text, handoff, null);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        try {
            question.answer(reply);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw ApiError.conflict(e.getMessage());
        }
        return question;
    }

    /** A question as {@code GET /api/humans} lists it. */
    static ObjectNode json(HumanQueue.Question q) {
        HumanRequest r = q.request();
        ObjectNode n = JSON.objectNode();
        n.put("id", q.id());
        n.put("agent", r.agent());
        n.put("runId", r.runId());
        n.put("session", r.sessionId());
        n.put("instructions", r.instructions());
        n.set("conversation", Api.parse(JournalCodec.items(r.conversation())));
        n.put("transcript", r.transcript());
        ArrayNode handoffs = n.putArray("handoffs");
        r.handoffs().forEach(h -> handoffs.addObject().put("agent", h.agent()).put("description", h.description()));
        n.put("deadline", r.deadline().toString());
        return n;
    }
}
