package dev.baton.robustness;

import static dev.baton.robustness.Scripted.calls;
import static dev.baton.robustness.Scripted.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.BatonException;
import dev.baton.agent.Agent;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentAsToolTest {

    @Test
    void a_run_level_model_override_reaches_agents_used_as_tools() {
        // RunOptions.withModel: "overrides every agent's model for this run". The nested run of an
        // agent-as-tool is started with RunOptions.none(), so it drops the override (and the
        // listener, settings, filters): the helper has no model and a UserError kills the caller.
        Agent<Void> helper = Agent.<Void>builder("helper").build();
        Agent<Void> main = Agent.<Void>builder("main").tools(helper.asTool("ask_helper", "Ask the helper")).build();
        Scripted model = new Scripted()
                .forAgent("main", calls("ask_helper", "{\"input\":\"2+2?\"}"), reply("it is 4"))
                .forAgent("helper", reply("4"));
        List<RunEvent> events = new ArrayList<>();

        BatonException failure = catchThrowableOfType(BatonException.class,
                () -> Runner.create().run(main, "hi", RunOptions.<Void>none().withModel(model).withListener(events::add)));

        if (failure != null) {
            String parentRunId = events.get(0).runId();
            // Even as a failure, it should describe the caller's run, not the nested one.
            assertThat(failure.runId()).as("runId of the error").isEqualTo(parentRunId);
        }
        assertThat(failure).as("the nested agent should have used the run's model").isNull();
    }
}
