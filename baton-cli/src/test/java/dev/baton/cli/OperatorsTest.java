package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.RunCancelled;
import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import dev.baton.item.Message;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The operator at the console answers for the human agent")
class OperatorsTest {
    final StringWriter out = new StringWriter();

    Terminal terminal(String input) {
        return new Terminal(new BufferedReader(new StringReader(input)), new PrintWriter(out), new PrintWriter(new StringWriter()),
                Map.of(), Path.of("."), true);
    }

    static HumanRequest request(String... handoffs) {
        return new HumanRequest("human_agent", null, List.of(Message.user("let me talk to a human")),
                java.util.Arrays.stream(handoffs).map(h -> new HumanRequest.HandoffOption(h, "Back to triage")).toList(),
                Instant.now().plus(Duration.ofMinutes(5)));
    }

    @Test
    void the_operators_line_is_the_human_agents_reply() {
        assertThat(Operators.console(terminal("  Hi, Sam from ACME here.  \n")).ask(request()))
                .contains(HumanReply.say("Hi, Sam from ACME here."));
        assertThat(out.toString()).contains("(operator) Reply as the human agent:").contains("operator> ")
                .doesNotContain("/handoff");
    }

    @Test
    void the_operator_hands_the_customer_back_with_a_handoff_line_and_is_asked_again_after_a_mistake() {
        String input = "\n/handoff billing\n/handoff\n/handoff triage_agent I'll pass you back to our assistant.\n";

        assertThat(Operators.console(terminal(input)).ask(request("triage_agent")))
                .contains(HumanReply.handOff("triage_agent", "I'll pass you back to our assistant."));
        assertThat(out.toString())
                .contains("(operator) or hand the customer on: /handoff AGENT [message], AGENT one of triage_agent")
                .contains("(operator) An empty reply says nothing to the customer; reply again.")
                .contains("(operator) Human agent 'human_agent' cannot hand off to 'billing': it hands off to triage_agent; reply again.")
                .contains("(operator) /handoff needs the agent to hand the customer to; reply again.");
    }

    @Test
    void the_end_of_the_input_stops_the_run_without_ending_it() {
        assertThatThrownBy(() -> Operators.console(terminal("")).ask(request()))
                .isInstanceOf(RunCancelled.class)
                .hasMessage("the operator left without replying as the human agent (the input ended)");
    }
}
