package dev.baton.run;

import dev.baton.JournalMismatch;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.model.ModelResponse;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Replay-or-perform around the effects of a journaled run: a finished effect comes back from the
 * journal; otherwise it is performed and its result recorded before the run goes on. A tool call
 * that started but never finished (its process died) runs once more; interrupted again, it is not
 * retried, and the model reads an error instead.
 */
final class Journaling {
    static final int MAX_TOOL_ATTEMPTS = 2;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final EffectJournal journal;

    Journaling(EffectJournal journal) {
        this.journal = journal;
    }

    EffectJournal journal() {
        return journal;
    }

    /** Where the run starts: the live choice the first time, the recorded one on a replay. */
    Start start(Start live) {
        EffectJournal.Recorded r = journal.recorded("start");
        if (r != null && r.done()) {
            return read(r.result(), Start.class, "start");
        }
        Instant now = Instant.now();
        journal.finished("start", EffectJournal.Kind.START, live.agent(), null, null, write(live), null, 1, now, now);
        return live;
    }

    /** The starting agent and how many session items it read as history. */
    record Start(String agent, int historyItems) {}

    ModelResponse model(int n, String agent, @Nullable String modelName, Supplier<ModelResponse> call) {
        String key = "m" + n;
        EffectJournal.Recorded r = journal.recorded(key);
        if (r != null && r.done()) {
            requireSameAgent(key, r, agent, "model call " + n);
            return read(r.result(), ModelResponse.class, key);
        }
        Instant started = Instant.now();
        ModelResponse response = call.get();
        journal.finished(key, EffectJournal.Kind.MODEL, agent, modelName, null, write(response), response.usage(), 1,
                started, Instant.now());
        return response;
    }

    /** The recorded outcome of a tool call, or the outcome of running it (recorded first as started). */
    ToolCalls.Outcome tool(int turn, String callId, String agent, String tool, String arguments,
            Supplier<ToolCalls.Outcome> call) {
        String key = "t" + turn + "/" + callId;
        EffectJournal.Recorded r = journal.recorded(key);
        int attempt = 1;
        if (r != null) {
            requireSameAgent(key, r, agent, "tool call " + callId);
            if (r.done()) {
                ToolRecord rec = read(r.result(), ToolRecord.class, key);
                return new ToolCalls.Outcome(rec.output(), rec.error(), List.of(), null, rec.handoffTo());
            }
            attempt = r.attempts() + 1;
            if (attempt > MAX_TOOL_ATTEMPTS) {
                ToolCalls.Outcome gaveUp = new ToolCalls.Outcome("The call to " + tool + " was interrupted " + r.attempts()
                        + " times by a stopped process and was not tried again; its effect, if any, is unknown.", true);
                Instant now = Instant.now();
                journal.finished(key, EffectJournal.Kind.TOOL, agent, tool, arguments,
                        write(new ToolRecord(gaveUp.output(), true, null)), null, r.attempts(), now, now);
                return gaveUp;
            }
        }
        Instant started = Instant.now();
        journal.started(key, EffectJournal.Kind.TOOL, agent, tool, arguments, attempt, started);
        ToolCalls.Outcome outcome = call.get();
        if (outcome.paused() == null) {
            journal.finished(key, EffectJournal.Kind.TOOL, agent, tool, arguments,
                    write(new ToolRecord(outcome.output(), outcome.error(), outcome.handoffTo())), null, attempt, started,
                    Instant.now());
        } else {
            // An agent used as a tool paused for approval: not an interruption, so the attempt does not count.
            journal.started(key, EffectJournal.Kind.TOOL, agent, tool, arguments, attempt - 1, started);
        }
        return outcome;
    }

    /** A tool call's outcome; {@code handoffTo} names the agent the tool handed the conversation to. */
    record ToolRecord(String output, boolean error, @Nullable String handoffTo) {}

    private void requireSameAgent(String key, EffectJournal.Recorded r, String agent, String what) {
        if (!r.agent().equals(agent)) {
            throw new JournalMismatch("Run " + journal.runId() + " cannot be replayed: its journal has " + what + " (" + key
                    + ") made by agent '" + r.agent() + "', but the agents here reached it with '" + agent
                    + "'. The agent graph changed since the run was journaled.");
        }
    }

    private <T> T read(@Nullable String json, Class<T> type, String key) {
        try {
            T value = JSON.readValue(json, type);
            if (value == null) {
                throw new JournalMismatch("Run " + journal.runId() + ": the journal entry '" + key + "' is empty");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new JournalMismatch("Run " + journal.runId() + ": the journal entry '" + key + "' is not a valid "
                    + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not journal " + value.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
