package dev.baton.run;

import dev.baton.guardrail.GuardrailResult;
import dev.baton.item.Image;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Performs the steps of a run. The run loop is deterministic given what its steps return: it asks
 * its engine for everything with a side effect or a source of non-determinism (the time, the
 * run's id, where the run starts, each model call, each batch of tool calls, recorded human
 * decisions) and never reads a clock, starts a thread for a step or makes an id itself. That is
 * what lets the same loop run in memory, journaled in a run store and replayed after a crash, or
 * (later) as workflow code on a durable-execution engine.
 *
 * <p>{@link #inMemory()} performs every step directly and is the default. The durable worker
 * hands each run a journaled engine ({@code dev.baton.durable}) that records every performed step
 * and replays recorded ones. A replayed step does not call the function the loop passed for it,
 * so the hooks and trace spans inside that function fire once per step, however often the run is
 * replayed; {@link #replays} tells the loop which steps those are, for the callbacks around them. Set an engine per run with {@link RunOptions#withEngine}; applications rarely
 * implement one, except to fix the clock or ids in tests.
 */
public interface Engine {

    /** The engine that performs every step directly in this process, on virtual threads where a step runs calls in parallel. */
    static Engine inMemory() {
        return InMemoryEngine.INSTANCE;
    }

    /** The current time: every event's timestamp and every record's comes from here. */
    Instant now();

    /** The id of the run about to start: a new one, or the journaled run's own. Asked once per run. */
    String runId();

    /**
     * Where the run starts. The loop passes the live choice (the agent holding the session and how
     * many session items it read); a journaled engine records it the first time and returns the
     * recorded one on a replay, so a replay reads the history the first execution read.
     */
    Start start(Start live);

    /**
     * One model call. The engine either returns the response recorded for this step or calls
     * {@code perform} (hooks, spans and the model itself) and returns, after recording it, what
     * that returned.
     */
    ModelResponse model(ModelStep step, Supplier<ModelResponse> perform);

    /**
     * The tool calls of one turn. The engine returns one outcome per call, in the batch's order:
     * recorded ones replayed, the rest performed by {@code perform} (concurrently, at most
     * {@link ToolBatch#maxConcurrent()} at a time). Interrupted while it waits for calls, it
     * stops them and throws a {@link dev.baton.RunCancelled}.
     */
    List<ToolOutcome> tools(ToolBatch batch, Function<ToolStep, ToolOutcome> perform);

    /**
     * A human decision on a tool call that needs approval, if one was recorded out of band (the
     * durable client's approve and reject); null means none yet, and the turn pauses for it.
     * Call ids are unique within a response, not always within a run: a decision belongs to its turn.
     */
    RunState.@Nullable Decision decision(int turn, String callId);

    /**
     * Whether model call {@code n} of the run (1 for its first) is one the engine will replay
     * rather than perform: the loop is catching up with work done by an earlier execution. What
     * led to that call (its agent starting, the handoff that gave it the conversation) happened
     * then too, so the loop does not fire those callbacks, or trace the handoff, a second time.
     * Work past the last recorded step is done again, callbacks and all: a callback fires at
     * least once, and exactly once unless a process stops between a handoff and the next model
     * call being recorded. The in-memory engine replays nothing.
     */
    default boolean replays(int n) {
        return false;
    }

    /** Every event of the run but text deltas, in order, for a {@link #journaled()} engine to keep. */
    void event(RunEvent event);

    /**
     * Whether the engine journals the run to replay it. The loop then builds every event for
     * {@link #event} even when nobody listens, and writes session items under keys of their own
     * so that a replay does not add them twice.
     */
    boolean journaled();

    /**
     * Where a run starts.
     *
     * @param agent the agent that takes the first turn
     * @param historyItems how many session items it reads as history
     */
    record Start(String agent, int historyItems) {}

    /**
     * A model call of a run.
     *
     * @param n which model call of the run it is, from 1; with the run's id it names the step
     * @param agent the agent whose turn it is
     * @param model the model's name, if the run knows it
     * @param request what the model is asked
     */
    record ModelStep(int n, String agent, @Nullable String model, ModelRequest request) {}

    /** The tool calls of one turn, with how many may run at once. */
    record ToolBatch(String runId, int turn, String agent, List<ToolStep> calls, int maxConcurrent) {
        public ToolBatch {
            calls = List.copyOf(calls);
        }
    }

    /**
     * One tool call of a batch.
     *
     * @param turn the run's turn, with {@code callId} the step's name
     * @param callId the model's id for the call
     * @param tool the tool's name
     * @param arguments the arguments as the model wrote them (JSON text)
     */
    record ToolStep(int turn, String callId, String agent, String tool, String arguments) {}

    /**
     * What a tool call came to.
     *
     * @param output what the model reads
     * @param error whether {@code output} reports a failure
     * @param guardrails the tool guardrails that checked the call
     * @param paused the paused state of an agent used as a tool that waits for approvals, else null
     * @param handoffTo the agent the tool handed the conversation to, else null
     * @param images images the tool returned for the model to look at after {@code output}
     */
    record ToolOutcome(String output, boolean error, List<GuardrailResult> guardrails, @Nullable RunState paused,
            @Nullable String handoffTo, List<Image> images) {
        public ToolOutcome {
            guardrails = List.copyOf(guardrails);
            images = List.copyOf(images);
        }

        /** An output the model reads, with nothing else to it. */
        public ToolOutcome(String output, boolean error) {
            this(output, error, List.of(), null, null, List.of());
        }

        /** An output the model reads, with images after it. */
        public ToolOutcome(String output, boolean error, List<Image> images) {
            this(output, error, List.of(), null, null, images);
        }

        ToolOutcome withGuardrails(String newOutput, List<GuardrailResult> checked) {
            // A guardrail that replaced the text replaced what the model sees, images included.
            return new ToolOutcome(newOutput, error, checked, paused, handoffTo, newOutput.equals(output) ? images : List.of());
        }
    }
}
