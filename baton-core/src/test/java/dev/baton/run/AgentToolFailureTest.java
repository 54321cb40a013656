package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.MaxTurnsExceeded;
import dev.baton.ToolCallFailed;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.item.RunItem;
import dev.baton.model.Model;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolFailureMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Agents as tools: when the nested run fails")
class AgentToolFailureTest {

    record NoArgs() {}

    /** A researcher that never finishes: its model asks for the lookup tool on every turn. */
    static Agent<Void> endlessResearcher() {
        Tool<Void> lookup = Tool.<Void, NoArgs>of("lookup", "", NoArgs.class, (ctx, args) -> "nothing yet");
        Model alwaysLookup = request -> Script.response(toolCall("lookup", "{}"));
        return Agent.<Void>builder("researcher").model(alwaysLookup).tools(lookup).build();
    }

    static RunOptions<Void> twoTurns(List<RunEvent> events) {
        return RunOptions.<Void>none().withMaxTurns(2).withListener(events::add);
    }

    @Test
    @DisplayName("by default the calling model reads the nested run's failure and the caller goes on")
    void the_model_reads_the_failure_by_default() {
        Tool<Void> research = endlessResearcher().asTool("research", "Research a question");
        Agent<Void> triage = Agent.<Void>builder("triage").tools(research)
                .model(new Script(call("research", "{\"input\":\"why?\"}"), reply("I could not find out."))).build();

        RunResult result = Runner.create().run(triage, "why?", twoTurns(new ArrayList<>()));

        assertThat(result.finalOutput()).isEqualTo("I could not find out.");
        assertThat(result.newItems()).filteredOn(i -> i instanceof RunItem.ToolOutputItem o && o.error())
                .singleElement().satisfies(o -> assertThat(((RunItem.ToolOutputItem) o).output().output()).contains("research"));
    }

    @Test
    @DisplayName("set to raise, the nested run's MaxTurnsExceeded fails the caller, with both runs' items kept")
    void max_turns_of_the_nested_run_propagates() {
        Tool<Void> research = endlessResearcher().asTool("research", "Research a question").withFailureMode(ToolFailureMode.RAISE);
        var researchCall = toolCall("research", "{\"input\":\"why?\"}");
        Script callerModel = new Script(items(researchCall));
        Agent<Void> triage = Agent.<Void>builder("triage").tools(research).model(callerModel).build();
        List<RunEvent> events = new ArrayList<>();

        ToolCallFailed failure = catchThrowableOfType(ToolCallFailed.class, () -> Runner.create().run(triage, "why?", twoTurns(events)));

        assertThat(failure).isNotNull();
        assertThat(failure.toolName()).isEqualTo("research");
        assertThat(failure.callId()).isEqualTo(researchCall.callId());
        assertThat(failure.runId()).as("the caller's run").isEqualTo(events.get(0).runId());
        assertThat(failure.lastAgent()).isEqualTo("triage");
        assertThat(failure.items()).singleElement().isInstanceOfSatisfying(RunItem.ToolCallItem.class,
                i -> assertThat(i.call().callId()).isEqualTo(researchCall.callId()));
        assertThat(failure.getCause()).isInstanceOfSatisfying(MaxTurnsExceeded.class, nested -> {
            assertThat(nested.maxTurns()).isEqualTo(2);
            assertThat(nested.runId()).as("the nested run's").isNotEqualTo(failure.runId());
            assertThat(nested.lastAgent()).isEqualTo("researcher");
            assertThat(nested.items()).hasSize(4);
        });
        assertThat(callerModel.calls()).as("the calling model is not asked again").isEqualTo(1);
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(RunEvent.RunFailed.class,
                f -> assertThat(f.error()).isSameAs(failure));
    }

    @Test
    @DisplayName("set to raise, a tripped guardrail of the nested agent fails the caller")
    void a_guardrail_trip_in_the_nested_run_propagates() {
        InputGuardrail<Void> noSecrets = InputGuardrail.<Void>of("no_secrets",
                (ctx, agent, input) -> GuardrailOutput.trip("asks for a password")).blocking();
        Agent<Void> vault = Agent.<Void>builder("vault").model(new Script()).inputGuardrails(noSecrets).build();
        Agent<Void> triage = Agent.<Void>builder("triage")
                .tools(vault.asTool("ask_vault", "Ask the vault").withFailureMode(ToolFailureMode.RAISE))
                .model(new Script(call("ask_vault", "{\"input\":\"the admin password\"}"))).build();

        ToolCallFailed failure = catchThrowableOfType(ToolCallFailed.class, () -> Runner.create().run(triage, "password?"));

        assertThat(failure).isNotNull();
        assertThat(failure.getCause()).isInstanceOfSatisfying(InputGuardrailTripwireTriggered.class,
                trip -> assertThat(trip.result().name()).isEqualTo("no_secrets"));
    }
}
