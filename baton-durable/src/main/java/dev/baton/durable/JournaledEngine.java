package dev.baton.durable;

import dev.baton.JournalMismatch;
import dev.baton.durable.internal.JournalCodec;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.item.Image;
import dev.baton.model.ModelResponse;
import dev.baton.run.Engine;
import dev.baton.run.RunEvent;
import dev.baton.run.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The engine of a durable run: replay-or-perform over its {@link StoreJournal}. A step the journal
 * holds as done comes back from the record, without calling what the loop passed to perform it
 * (so its hooks and spans do not fire again); any other step is performed and recorded before the
 * run goes on. A tool call that started but never finished (its process died) runs once more;
 * interrupted again, it is not retried, and the model reads an error instead.
 *
 * <p>Keys and record formats are those journals have always had: {@code start}, {@code m<n>} for
 * the n-th model call, {@code t<turn>/<callId>} for a tool call; a start record is
 * {@code {"agent","historyItems"}}, a model record the {@link ModelResponse}, a tool record
 * {@code {"output","error","handoffTo"}}.
 */
final class JournaledEngine implements Engine {
    static final int MAX_TOOL_ATTEMPTS = 2;
    private static final ObjectMapper JSON = JournalCodec.JSON;

    private final StoreJournal journal;

    JournaledEngine(StoreJournal journal) {
        this.journal = journal;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public String runId() {
        return journal.runId();
    }

    @Override
    public Start start(Start live) {
        Effect r = journal.recorded("start");
        if (r != null && r.status() == Effect.Status.DONE) {
            return read(r.result(), Start.class, "start");
        }
        Instant now = now();
        journal.write(new Effect(journal.runId(), "start", Effect.Kind.START, Effect.Status.DONE, live.agent(), null, null,
                write(live), 1, now, now, null));
        return live;
    }

    @Override
    public ModelResponse model(ModelStep step, Supplier<ModelResponse> perform) {
        String key = "m" + step.n();
        Effect r = journal.recorded(key);
        if (r != null && r.status() == Effect.Status.DONE) {
            requireSameAgent(key, r, step.agent(), "model call " + step.n());
            return read(r.result(), ModelResponse.class, key);
        }
        Instant started = now();
        ModelResponse response = perform.get();
        journal.write(new Effect(journal.runId(), key, Effect.Kind.MODEL, Effect.Status.DONE, step.agent(), step.model(), null,
                write(response), 1, started, now(), response.usage()));
        return response;
    }

    /**
     * Replays the calls the journal holds as done (or gave up on), and performs the rest as one
     * batch of the in-memory engine, each recorded as started before it runs and as done after.
     */
    @Override
    public List<ToolOutcome> tools(ToolBatch batch, Function<ToolStep, ToolOutcome> perform) {
        List<ToolStep> calls = batch.calls();
        ToolOutcome[] outcomes = new ToolOutcome[calls.size()];
        List<ToolStep> toRun = new ArrayList<>(calls.size());
        List<Integer> positions = new ArrayList<>(calls.size());
        int[] attempts = new int[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            ToolStep call = calls.get(i);
            String key = key(call);
            Effect r = journal.recorded(key);
            int attempt = 1;
            if (r != null) {
                requireSameAgent(key, r, call.agent(), "tool call " + call.callId());
                if (r.status() == Effect.Status.DONE) {
                    ToolRecord rec = read(r.result(), ToolRecord.class, key);
                    outcomes[i] = new ToolOutcome(rec.output(), rec.error(), List.of(), null, rec.handoffTo(), rec.images());
                    continue;
                }
                attempt = r.attempts() + 1;
                if (attempt > MAX_TOOL_ATTEMPTS) {
                    outcomes[i] = gaveUp(call, key, r.attempts());
                    continue;
                }
            }
            attempts[i] = attempt;
            toRun.add(call);
            positions.add(i);
        }
        if (toRun.isEmpty()) {
            return Arrays.asList(outcomes);
        }
        List<ToolOutcome> ran = Engine.inMemory().tools(
                new ToolBatch(batch.runId(), batch.turn(), batch.agent(), toRun, batch.maxConcurrent()),
                call -> performed(call, attempts[positions.get(indexOf(toRun, call))], perform));
        for (int j = 0; j < ran.size(); j++) {
            outcomes[positions.get(j)] = ran.get(j);
        }
        return Arrays.asList(outcomes);
    }

    /** A tool call performed, recorded as started first so that a crash in the middle leaves a trace. */
    private ToolOutcome performed(ToolStep call, int attempt, Function<ToolStep, ToolOutcome> perform) {
        String key = key(call);
        Instant started = now();
        journal.write(new Effect(journal.runId(), key, Effect.Kind.TOOL, Effect.Status.STARTED, call.agent(), call.tool(),
                call.arguments(), null, attempt, started, null, null));
        ToolOutcome outcome = perform.apply(call);
        if (outcome.paused() == null) {
            journal.write(new Effect(journal.runId(), key, Effect.Kind.TOOL, Effect.Status.DONE, call.agent(), call.tool(),
                    call.arguments(), write(new ToolRecord(outcome.output(), outcome.error(), outcome.handoffTo(), outcome.images())), attempt,
                    started, now(), null));
        } else {
            // An agent used as a tool paused for approval: not an interruption, so the attempt does not count.
            journal.write(new Effect(journal.runId(), key, Effect.Kind.TOOL, Effect.Status.STARTED, call.agent(), call.tool(),
                    call.arguments(), null, attempt - 1, started, null, null));
        }
        return outcome;
    }

    private ToolOutcome gaveUp(ToolStep call, String key, int attempts) {
        ToolOutcome gaveUp = new ToolOutcome("The call to " + call.tool() + " was interrupted " + attempts
                + " times by a stopped process and was not tried again; its effect, if any, is unknown.", true);
        Instant now = now();
        journal.write(new Effect(journal.runId(), key, Effect.Kind.TOOL, Effect.Status.DONE, call.agent(), call.tool(),
                call.arguments(), write(new ToolRecord(gaveUp.output(), true, null, List.of())), attempts, now, now, null));
        return gaveUp;
    }

    @Override
    public RunState.@Nullable Decision decision(int turn, String callId) {
        return journal.decision(turn, callId);
    }

    @Override
    public void event(RunEvent event) {
        journal.event(event);
    }

    @Override
    public boolean replays(int n) {
        Effect r = journal.recorded("m" + n);
        return r != null && r.status() == Effect.Status.DONE;
    }

    @Override
    public boolean journaled() {
        return true;
    }

    /** A step's position in the batch it came in: by identity, since call ids may repeat in a run. */
    private static int indexOf(List<ToolStep> calls, ToolStep call) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i) == call) {
                return i;
            }
        }
        throw new IllegalStateException("the engine was asked to perform a tool step that is not in its batch: " + call);
    }

    private static String key(ToolStep call) {
        return "t" + call.turn() + "/" + call.callId();
    }

    /** A tool call's outcome; {@code handoffTo} names the agent the tool handed the conversation to. */
    record ToolRecord(String output, boolean error, @Nullable String handoffTo,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Image> images) {
        ToolRecord {
            images = images == null ? List.of() : List.copyOf(images); // absent in results journaled before images
        }
    }

    private void requireSameAgent(String key, Effect r, String agent, String what) {
        if (!r.agent().equals(agent)) {
            throw new JournalMismatch("Run " + journal.runId() + " cannot be replayed: its journal has " + what + " (" + key
                    + ") made by agent '" + r.agent() + "', but the agents here reached it with '" + agent
                    + "'. The agent graph changed since the run was journaled.");
        }
    }

    private <T> T read(@Nullable String json, Class<T> type, String key) {
        try {
            T value = json == null ? null : JSON.readValue(json, type);
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
