package dev.baton.server;

import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the store keeps of a run beside its events, looked up by the events they belong to: a model
 * response's effect by its turn ({@code m<turn>}), a tool result's by its call id
 * ({@code t<turn>/<callId>}), an approval request's decision by its call id. They give the timeline
 * each call's latency, how many attempts it took, and who decided what.
 */
record RunFacts(Map<String, Effect> models, Map<String, Effect> tools, Map<String, Approval> approvals) {

    static RunFacts of(List<Effect> effects, List<Approval> approvals) {
        Map<String, Effect> models = new HashMap<>();
        Map<String, Effect> tools = new HashMap<>();
        for (Effect e : effects) {
            switch (e.kind()) {
                case MODEL -> models.put(e.key(), e);
                case TOOL -> tools.put(e.key().substring(e.key().indexOf('/') + 1), e);
                case START -> { }
            }
        }
        Map<String, Approval> decisions = new HashMap<>();
        approvals.forEach(a -> decisions.put(a.callId(), a)); // the latest, when a call id comes again
        return new RunFacts(models, tools, decisions);
    }

    Optional<Approval> approval(String callId) {
        return Optional.ofNullable(approvals.get(callId));
    }

    /** How the approval of a call was decided, as HTML: "approved by Dana · for later calls too", or "waiting". */
    static String decision(Optional<Approval> approval) {
        if (approval.isEmpty()) {
            return "";
        }
        Approval a = approval.get();
        if (a.status() == Approval.Status.PENDING) {
            return "<p class=\"decision pending\">waiting for a decision</p>";
        }
        StringBuilder b = new StringBuilder("<p class=\"decision ").append(a.status() == Approval.Status.APPROVED ? "approved" : "rejected")
                .append("\">").append(a.status() == Approval.Status.APPROVED ? "approved" : "rejected");
        if (a.decidedBy() != null) {
            b.append(" by ").append(Html.esc(a.decidedBy()));
        }
        if (a.always()) {
            b.append(" · for the tool's later calls too");
        }
        if (a.message() != null) {
            b.append(": ").append(Html.esc(a.message()));
        }
        return b.append("</p>").toString();
    }

    Optional<Effect> model(long turn) {
        return Optional.ofNullable(models.get("m" + turn));
    }

    Optional<Effect> tool(String callId) {
        return Optional.ofNullable(tools.get(callId));
    }

    /** " · 12 ms" and " · 2 attempts" as they apply, for the end of a timeline entry's line. */
    static String note(Optional<Effect> effect) {
        if (effect.isEmpty()) {
            return "";
        }
        Effect e = effect.get();
        StringBuilder b = new StringBuilder();
        if (e.finishedAt() != null) {
            b.append(" · ").append(e.durationMillis()).append(" ms");
        }
        if (e.attempts() > 1) {
            b.append(" · <span class=\"badge retried\">").append(e.attempts()).append(" attempts</span>");
        }
        return b.toString();
    }
}
