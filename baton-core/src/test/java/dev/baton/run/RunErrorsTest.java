package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.CallbackFailed;
import dev.baton.MaxTurnsExceeded;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.item.Message;
import dev.baton.model.ModelSettings;
import dev.baton.tool.Tool;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Run results and errors")
class RunErrorsTest {

    record NoArgs() {}

    static final Tool<Void> PING = Tool.of("ping", "", NoArgs.class, (c, a) -> "pong");

    @Test
    void max_turns_defaults_to_ten_and_the_error_carries_the_items() {
        Script[] holder = new Script[1];
        java.util.function.Function<dev.baton.model.ModelRequest, dev.baton.model.ModelResponse> ping = call("ping", "{}");
        @SuppressWarnings("unchecked")
        java.util.function.Function<dev.baton.model.ModelRequest, dev.baton.model.ModelResponse>[] steps = new java.util.function.Function[10];
        java.util.Arrays.fill(steps, ping);
        holder[0] = new Script(steps);

        assertThatThrownBy(() -> Runner.create().run(Agent.<Void>builder("a").tools(PING).build(), "x",
                RunOptions.<Void>none().withModel(holder[0])))
                .isInstanceOfSatisfying(MaxTurnsExceeded.class, e -> {
                    assertThat(e.maxTurns()).isEqualTo(10);
                    assertThat(e.items()).hasSize(20);
                    assertThat(e.rawResponses()).hasSize(10);
                    assertThat(e.runId()).startsWith("run_");
                });
    }

    @Test
    void a_model_name_without_a_provider_is_a_clear_user_error() {
        Agent<Void> agent = Agent.<Void>builder("a").model("gpt-4.1-mini").build();

        assertThatThrownBy(() -> Runner.create().run(agent, "x"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("gpt-4.1-mini")
                .hasMessageContaining("modelProvider");
    }

    @Test
    void model_names_are_resolved_by_the_configured_provider() {
        Script model = new Script(reply("hi"));
        Runner runner = Runner.create(RunConfig.builder().modelProvider(name -> {
            assertThat(name).isEqualTo("house-model");
            return model;
        }).build());

        assertThat(runner.run(Agent.<Void>builder("a").model("house-model").build(), "x").finalOutput()).isEqualTo("hi");
    }

    @Test
    void an_agent_without_any_model_is_a_clear_user_error() {
        assertThatThrownBy(() -> Runner.create().run(Agent.<Void>builder("a").build(), "x"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("has no model");
    }

    @Test
    void a_handoff_to_a_name_no_team_resolved_is_rejected_before_any_model_call() {
        Script model = new Script();
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs("billing").build();

        assertThatThrownBy(() -> Runner.create().run(triage, "x", RunOptions.<Void>none().withModel(model)))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'triage' -> 'billing'")
                .hasMessageContaining("Team.of");
        assertThat(model.calls()).isZero();
    }

    @Test
    void a_team_rejects_dangling_names_when_it_is_built() {
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs("billing", "technical").build();
        Agent<Void> billing = Agent.<Void>builder("billing").handoffs("triage").build();

        assertThatThrownBy(() -> Team.of(triage, billing))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'triage' -> 'technical'");
    }

    @Test
    void a_team_rejects_two_different_agents_with_one_name() {
        assertThatThrownBy(() -> Team.of(Agent.<Void>builder("a").build(), Agent.<Void>builder("a").build()))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'a'");
    }

    @Test
    void instructions_can_be_computed_from_the_context_and_the_agent() {
        Script model = new Script(reply("ok"));
        Agent<String> agent = Agent.<String>builder("billing")
                .instructions((ctx, self) -> "You are " + self.name() + ", helping " + ctx.context())
                .build();

        Runner.create().run(agent, "x", RunOptions.context("Ada").withModel(model));

        assertThat(model.requests.get(0).instructions()).isEqualTo("You are billing, helping Ada");
    }

    @Test
    void a_failing_instructions_function_fails_the_run_naming_the_agent() {
        Agent<Void> agent = Agent.<Void>builder("billing").instructions((ctx, self) -> {
            throw new IllegalStateException("template missing");
        }).build();

        assertThatThrownBy(() -> Runner.create().run(agent, "x", RunOptions.<Void>none().withModel(new Script())))
                .isInstanceOf(CallbackFailed.class)
                .hasMessageContaining("billing")
                .hasMessageContaining("template missing");
    }

    @Test
    void run_settings_are_layered_over_the_agent_settings() {
        Script model = new Script(reply("ok"));
        Agent<Void> agent = Agent.<Void>builder("a").modelSettings(ModelSettings.defaults().withTemperature(0.2).withMaxTokens(100)).build();

        Runner.create().run(agent, "x", RunOptions.<Void>none().withModel(model).withModelSettings(ModelSettings.defaults().withMaxTokens(50)));

        assertThat(model.requests.get(0).settings()).isEqualTo(new ModelSettings(0.2, null, 50, null, null));
    }

    @Test
    void the_result_holds_usage_per_agent_and_the_conversation_for_a_next_turn() {
        Agent<Void> billing = Agent.<Void>builder("billing").build();
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs(billing).build();
        Script model = new Script(handoff("billing"), reply("Refunded."));

        RunResult result = Runner.create().run(triage, "refund", RunOptions.<Void>none().withModel(model));

        assertThat(result.usage().requests()).isEqualTo(2);
        assertThat(result.usage().totalTokens()).isEqualTo(30);
        assertThat(result.usageByAgent().get("triage").requests()).isEqualTo(1);
        assertThat(result.usageByAgent().get("billing").requests()).isEqualTo(1);
        assertThat(result.rawResponses()).hasSize(2);
        assertThat(result.toInputList()).hasSize(4).last().isEqualTo(Message.assistant("Refunded."));
        assertThat(result.toInputList(Message.user("thanks"))).hasSize(5);
        assertThat(result.input()).containsExactly(Message.user("refund"));
        assertThat(List.copyOf(result.newItems())).hasSize(3);
    }
}
