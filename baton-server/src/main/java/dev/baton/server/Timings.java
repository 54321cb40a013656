package dev.baton.server;

import dev.baton.durable.Effect;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's recorded effects, looked up by the events they belong to: a model response by its turn
 * (effect {@code m<turn>}), a tool result by its call id (effect {@code t<turn>/<callId>}). They give
 * the timeline each call's latency and how many attempts it took.
 */
record Timings(Map<String, Effect> models, Map<String, Effect> tools) {
    static final Timings NONE = new Timings(Map.of(), Map.of());

    static Timings of(List<Effect> effects) {
        Map<String, Effect> models = new HashMap<>();
        Map<String, Effect> tools = new HashMap<>();
        for (Effect e : effects) {
            switch (e.kind()) {
                case MODEL -> models.put(e.key(), e);
                case TOOL -> tools.put(e.key().substring(e.key().indexOf('/') + 1), e);
                case START -> { }
            }
        }
        return new Timings(models, tools);
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
