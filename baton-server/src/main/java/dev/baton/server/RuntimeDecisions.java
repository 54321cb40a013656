package dev.baton.server;

import dev.baton.durable.Decision;
import dev.baton.durable.RunRecord;
import dev.baton.runtime.TopicId;
import dev.baton.runtime.handoff.ApprovalDecision;
import java.util.Map;

/**
 * Tells a runtime desk's agent of a decision made on one of its journaled turns outside the
 * runtime: in the approvals inbox or through {@code /api/runs/{id}/approvals/{callId}}. The turn
 * was taken by the desk's agent that started it, which holds it as paused; the decision, published
 * to that agent's topic on the turn's session, lets it go on with the run (which the store already
 * made resumable) and tell the person what came of it.
 */
final class RuntimeDecisions {
    private final Map<String, RuntimeApi.Hosted> desks;

    RuntimeDecisions(Map<String, RuntimeApi.Hosted> desks) {
        this.desks = desks;
    }

    /** After {@code decision} on call {@code callId} of {@code run} was recorded in the store. */
    void decided(RunRecord run, String callId, Decision decision) {
        RuntimeApi.Hosted hosted = desks.get(run.application());
        if (hosted == null || run.sessionId() == null || !hosted.desk().agents().contains(run.startAgent())) {
            return; // not a turn of a runtime desk: the run's worker goes on by itself
        }
        hosted.runtime().publish(new ApprovalDecision(run.id(), callId, decision.approved(), decision.always(), decision.message(),
                decision.by()), new TopicId(run.startAgent(), run.sessionId()));
    }
}
