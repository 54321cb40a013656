package dev.baton.run;

import static dev.baton.run.Script.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.BatonException;
import dev.baton.CallbackFailed;
import dev.baton.GuardrailTripwireTriggered;
import dev.baton.JournalMismatch;
import dev.baton.MaxTurnsExceeded;
import dev.baton.ModelBehaviorError;
import dev.baton.ModelCallFailed;
import dev.baton.ModelRefusalError;
import dev.baton.NobodyAnswered;
import dev.baton.RunCancelled;
import dev.baton.RunStoreFailed;
import dev.baton.SessionBusy;
import dev.baton.SessionLeaseLost;
import dev.baton.SessionStoreFailed;
import dev.baton.ToolCallFailed;
import dev.baton.ToolProviderFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.internal.RunFailures;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.tool.Tool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What a failed run reports")
class RunFailureTest {
    record NoArgs() {}

    static final Tool<Void> PING = Tool.of("ping", "", NoArgs.class, (c, a) -> "pong");

    /** A model that fails every call, and says whether that may pass. */
    record FailingModel(boolean passes) implements Model {
        @Override
        public ModelResponse respond(ModelRequest request) {
            throw new IllegalStateException("endpoint unavailable");
        }

        @Override
        public boolean retryable(RuntimeException failure) {
            return passes;
        }
    }

    /** Every Baton error is one of a closed set, so handling code can be exhaustive. */
    static String kind(BatonException e) {
        return switch (e) {
            case UserError u -> "fix the code";
            case ModelCallFailed m -> m.retryable() ? "try again later" : "fix the model setup";
            case ModelBehaviorError m -> "the model misbehaved";
            case ModelRefusalError m -> "the model refused";
            case ToolCallFailed t -> "a tool failed";
            case ToolProviderFailed t -> "a tool source is down: try again later";
            case CallbackFailed c -> "application code failed";
            case GuardrailTripwireTriggered g -> "a guardrail stopped it";
            case MaxTurnsExceeded m -> "too many turns";
            case RunCancelled c -> "cancelled";
            case SessionBusy b -> "the session is busy";
            case SessionLeaseLost l -> "another run took the session";
            case SessionStoreFailed s -> "the session store failed";
            case RunStoreFailed r -> "the run store failed";
            case JournalMismatch j -> "the agents changed";
            case NobodyAnswered n -> "nobody answered";
        };
    }

    @Test
    void a_model_failure_says_whether_a_later_try_may_pass_as_the_model_judges_it() {
        Agent<Void> agent = Agent.<Void>builder("support_triage").build();

        assertThatThrownBy(() -> Runner.create().run(agent, "hi", RunOptions.<Void>none().withModel(new FailingModel(true))))
                .isInstanceOfSatisfying(ModelCallFailed.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(kind(e)).isEqualTo("try again later");
                    assertThat(e.getCause()).hasMessage("endpoint unavailable");
                });
        assertThatThrownBy(() -> Runner.create().run(agent, "hi", RunOptions.<Void>none().withModel(new FailingModel(false))))
                .isInstanceOfSatisfying(ModelCallFailed.class, e -> assertThat(e.retryable()).isFalse());
    }

    @Test
    void a_model_that_does_not_judge_its_failures_makes_them_not_retryable() {
        Model silent = request -> {
            throw new IllegalStateException("boom");
        };

        assertThatThrownBy(() -> Runner.create().run(Agent.<Void>builder("a").build(), "hi",
                RunOptions.<Void>none().withModel(silent)))
                .isInstanceOfSatisfying(ModelCallFailed.class, e -> assertThat(e.retryable()).isFalse());
    }

    @Test
    void the_run_data_of_a_failure_is_one_immutable_record_set_by_the_run_that_failed() {
        Script script = new Script(call("ping", "{}"), call("ping", "{}"));

        assertThatThrownBy(() -> Runner.create().run(Agent.<Void>builder("a").tools(PING).build(), "x",
                RunOptions.<Void>none().withModel(script).withMaxTurns(2)))
                .isInstanceOfSatisfying(MaxTurnsExceeded.class, e -> {
                    BatonException.RunData data = e.runData();
                    assertThat(data).isNotNull();
                    assertThat(data.runId()).isEqualTo(e.runId()).startsWith("run_");
                    assertThat(data.lastAgent()).isEqualTo("a");
                    assertThat(data.items()).hasSize(4).isEqualTo(e.items());
                    assertThat(data.rawResponses()).hasSize(2);
                    assertThatThrownBy(() -> data.items().clear()).isInstanceOf(UnsupportedOperationException.class);

                    // A second attachment (a caller's run, catching a nested run's error) changes nothing.
                    RunFailures.attach(e, new BatonException.RunData("run_other", "b", java.util.List.of(), java.util.List.of()));
                    assertThat(e.runData()).isSameAs(data);
                });
    }

    @Test
    void an_error_raised_outside_a_run_has_no_run_data() {
        UserError e = new UserError("bad configuration");

        assertThat(e.runData()).isNull();
        assertThat(e.items()).isEmpty();
        assertThat(e.runId()).isNull();
    }

    @Test
    void nothing_but_baton_installs_the_writer_of_run_data() {
        assertThat(new UserError("loads the class")).isNotNull();

        assertThatThrownBy(() -> RunFailures.install((e, d) -> { }))
                .isInstanceOf(IllegalStateException.class);
    }
}
