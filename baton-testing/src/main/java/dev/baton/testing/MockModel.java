package dev.baton.testing;

import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.run.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The model of a {@link MockRun}: answers call n with event n, through a {@link ScriptedModel}
 * holding the events as its global queue, and explains in terms of events when the run and the
 * script disagree.
 */
final class MockModel implements Model {
    private final Object lock = new Object();
    private final List<MockEvent> events;
    private final ScriptedModel scripted = ScriptedModel.create();
    /** The agent whose model call took each event, in order. */
    private final List<String> takenBy = new ArrayList<>();
    private final List<AssertionError> failures = new ArrayList<>();

    MockModel(List<MockEvent> events) {
        this.events = List.copyOf(events);
        events.forEach(e -> scripted.then(step(e)));
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        // One call at a time, so event n is the step ScriptedModel answers call n with, even when
        // nested runs call the model from several threads.
        synchronized (lock) {
            int index = takenBy.size();
            if (index == events.size()) {
                throw record(new AssertionError(exhausted(request)));
            }
            takenBy.add(request.agent());
            try {
                return scripted.respond(request);
            } catch (AssertionError e) {
                throw record(new AssertionError("mockRun event #" + (index + 1) + " of " + events.size()
                        + " failed: " + e.getMessage() + "\nEvents:" + eventList(), e));
            }
        }
    }

    @Override
    public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
        ModelResponse response = respond(request);
        StreamChunks.emit(response, events);
        return response;
    }

    @Override
    public String toString() {
        return "mockRun model[" + events.size() + " events]";
    }

    /**
     * Throws the first failure of the script, if any, even when the run wrapped it or went on:
     * the script's explanation is the one the test needs. {@code runFailure}, the run's own
     * failure, is attached when it is another error.
     */
    void raiseScriptFailure(@Nullable Throwable runFailure) {
        AssertionError first;
        synchronized (lock) {
            if (failures.isEmpty()) {
                return;
            }
            first = failures.get(0);
        }
        if (runFailure != null && runFailure != first) {
            first.addSuppressed(runFailure);
        }
        throw first;
    }

    /** Fails if the run finished or paused before the model performed every event. */
    void assertAllEventsUsed(RunResult result) {
        synchronized (lock) {
            int used = takenBy.size();
            if (used < events.size()) {
                throw new AssertionError(unused(result, used));
            }
        }
    }

    private String unused(RunResult result, int used) {
        StringBuilder message = new StringBuilder("mockRun: the run ")
                .append(result.isPaused() ? "paused awaiting approval of " + Describe.approvals(result.interruptions())
                        : "finished with agent '" + result.lastAgent() + "' answering " + Describe.text(result.finalOutputText()))
                .append(" after event #").append(used).append(", so ")
                .append(events.size() - used == 1 ? "event #" + events.size() + " was" : "events #" + (used + 1) + " to #" + events.size() + " were")
                .append(" never used.\nEvents:").append(eventList())
                .append("\nRun transcript, ").append(Transcript.of(result));
        return message.toString();
    }

    private String exhausted(ModelRequest request) {
        return "mockRun: the model of agent '" + request.agent() + "' was called again after all " + events.size()
                + (events.size() == 1 ? " event was" : " events were") + " used, with last input "
                + Describe.item(request.lastInput())
                + "\nEvents:" + eventList()
                + "\nAdd an event for what " + request.agent() + "'s model does next, such as done(\"...\").";
    }

    /** The events one per line, each with the agent that took it or "not used yet". */
    private String eventList() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            text.append("\n  #").append(i + 1).append(' ').append(events.get(i))
                    .append(i < takenBy.size() ? "  by " + takenBy.get(i) : "  (not used)");
        }
        return text.toString();
    }

    private AssertionError record(AssertionError error) {
        failures.add(error);
        return error;
    }

    private static Step step(MockEvent event) {
        String description = event.toString();
        return switch (event) {
            case MockEvent.Handoff h -> Steps.handoff(h.agent(), h.input(), description);
            case MockEvent.ToolCall c -> Steps.callTool(c.tool(), c.arguments());
            case MockEvent.Done d -> Steps.reply(d.text());
            case MockEvent.ModelStep s -> s.step();
            case MockEvent.Turn t -> Step.combine(description, t.calls().stream().map(MockModel::step).toList());
        };
    }
}
