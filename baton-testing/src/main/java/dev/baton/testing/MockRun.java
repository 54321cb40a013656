package dev.baton.testing;

import dev.baton.agent.Agent;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import java.util.List;
import java.util.Objects;

/**
 * Runs an agent on the real run loop with a model scripted by {@link MockEvent}s, one per model
 * call in the order the calls happen, whichever agent is active:
 *
 * <pre>{@code
 * RunResult result = mockRun(triage, "I was charged twice for INV-8821",
 *         handoff("billing_specialist"),
 *         toolCall("get_invoice", new GetInvoice("INV-8821")),
 *         done("Refund initiated."));
 *
 * expect(result).completed()
 *         .handedOffTo("billing_specialist")
 *         .usedTool("get_invoice", new GetInvoice("INV-8821"))
 *         .lastAgent("billing_specialist");
 * }</pre>
 *
 * <p>Everything but the model is real: handoffs go through the transfer functions the agents
 * offer, tools run with their guardrails and approval policies, sessions are read and written.
 * The script is the model of every agent, nested agent-as-tool runs included: the agents' own
 * models and the runner's default model are not called. Use {@link ScriptedModel} instead when the answers should depend on which agent
 * asks rather than on the order of the calls.
 *
 * <p>The script must match the run exactly. A model call with no event left, an event the agent
 * cannot perform (a handoff it does not offer), and events left over when the run finishes or
 * pauses each fail the test with an {@link AssertionError} that names the event and the agent.
 * A run that fails for other reasons throws its {@link dev.baton.BatonException} as usual.
 */
public final class MockRun {
    private MockRun() {}

    /** Runs {@code agent} on {@code input}, with no options, on a fresh {@link Runner#create() runner}. */
    public static <C> RunResult mockRun(Agent<C> agent, String input, MockEvent... events) {
        return mockRun(Runner.create(), agent, input, RunOptions.none(), events);
    }

    /**
     * Runs {@code agent} on {@code input} with these options (a context, a {@code Session}, hooks,
     * guardrails), on a fresh {@link Runner#create() runner}. A session given by id lives in that
     * runner's store: to continue it in a second mock run, pass the same runner, or a
     * {@link dev.baton.session.Session} object.
     */
    public static <C> RunResult mockRun(Agent<C> agent, String input, RunOptions<C> options, MockEvent... events) {
        return mockRun(Runner.create(), agent, input, options, events);
    }

    /**
     * Runs {@code agent} on {@code input} with these options on {@code runner}, so its configuration
     * (session store, turn limit, hooks, unknown-tool policy) applies. The runner's default model is
     * not used.
     *
     * @throws IllegalArgumentException if there are no events, or the options choose a model: the
     *     events are the model
     */
    public static <C> RunResult mockRun(Runner runner, Agent<C> agent, String input, RunOptions<C> options,
            MockEvent... events) {
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(options, "options");
        if (options.model() != null || options.modelName() != null) {
            throw new IllegalArgumentException("mockRun scripts the model of every agent from its events; the options choose "
                    + (options.model() != null ? "the model " + options.model() : "the model '" + options.modelName() + "'")
                    + ", remove withModel(...) from them");
        }
        MockModel model = new MockModel(checked(events));
        RunResult result;
        try {
            result = runner.run(agent, input, options.withModel(model));
        } catch (RuntimeException | Error e) {
            model.raiseScriptFailure(e);
            throw e;
        }
        model.raiseScriptFailure(null);
        model.assertAllEventsUsed(result);
        return result;
    }

    private static List<MockEvent> checked(MockEvent[] events) {
        Objects.requireNonNull(events, "events");
        if (events.length == 0) {
            throw new IllegalArgumentException("mockRun needs at least one event: what the first agent's model does, "
                    + "such as done(\"...\") or handoff(\"...\")");
        }
        for (int i = 0; i < events.length; i++) {
            if (events[i] == null) {
                throw new NullPointerException("mockRun event #" + (i + 1) + " is null");
            }
        }
        return List.of(events);
    }
}
