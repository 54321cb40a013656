package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.item.ToolCall;
import dev.baton.runtime.handoff.AgentResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The runtime scenario plays the support flow as a publish/subscribe conversation; no timing is checked. */
@DisplayName("The runtime benchmark scenario")
class RuntimeScenarioTest {

    final AtomicReference<String> firstError = new AtomicReference<>();
    final RuntimeFlow flow = new RuntimeFlow(o -> o.withTracingDisabled(true), List.of(), firstError);

    @Test
    void a_session_goes_from_triage_to_billing_by_topic_and_its_answer_comes_back_on_the_user_topic() {
        RuntimeFlow.Desk desk = flow.new Desk(0);
        try (desk) {
            AgentResponse answer = desk.start("s-1").join();

            assertThat(RuntimeFlow.check(answer)).isTrue();
            assertThat(answer.agent()).isEqualTo("billing_specialist");
            assertThat(answer.text()).isEqualTo(SupportFlow.ANSWER);
            desk.runtime.stopWhenIdle();
            assertThat(desk.sessions.items("s-1", 0)).filteredOn(ToolCall.class::isInstance)
                    .extracting(i -> ((ToolCall) i).name())
                    .containsExactly("transfer_to_billing_specialist", "get_invoice");
            assertThat(desk.sessions.activeAgent("s-1")).contains("billing_specialist");
            assertThat(desk.modelCalls.get()).isEqualTo(RuntimeFlow.MODEL_CALLS);
            assertThat(desk.lastCalls.get()).as("billing's call after get_invoice").isEqualTo(1);
            assertThat(desk.instances()).as("the session's agents are let go once it ended (dormant)").isZero();
            assertThat(desk.open()).isZero();
            assertThat(desk.deadLetters.list()).isEmpty();
        }
    }

    @Test
    void an_answer_from_the_wrong_agent_fails_the_check() {
        AgentResponse fromTriage = new AgentResponse("support_triage", "support_triage", "Refund? Ask billing.", List.of(), "r-1");
        AgentResponse noRefund = new AgentResponse("billing_specialist", "billing_specialist", "Invoice found.", List.of(), "r-2");

        assertThat(RuntimeFlow.check(fromTriage)).isFalse();
        assertThat(RuntimeFlow.check(noRefund)).isFalse();
    }

    @Test
    void a_pass_of_sessions_completes_every_session_with_three_model_calls_each() throws Exception {
        RuntimeFlow.Pass pass = flow.sessions("p-", 50, 8);

        assertThat(pass.failures()).isZero();
        assertThat(pass.deadLetters()).isZero();
        assertThat(pass.modelCalls()).isEqualTo(50L * RuntimeFlow.MODEL_CALLS);
        assertThat(pass.instances()).as("ended sessions keep no agent instance").isZero();
        assertThat(firstError.get()).isNull();
    }

    @Test
    void prints_the_median_pass_of_sessions_as_a_json_line() throws Exception {
        JsonNode line = run("--scenario", "runtime", "--runs", "40", "--warmup", "10", "--concurrency", "4", "--repeats", "3");

        assertThat(line.get("impl").asText()).isEqualTo("baton");
        assertThat(line.get("scenario").asText()).isEqualTo("runtime");
        assertThat(line.get("config").asText()).isEqualTo("sessions");
        assertThat(line.get("tracing").asText()).isEqualTo("tracing-off");
        assertThat(line.get("runs").asInt()).isEqualTo(40);
        assertThat(line.get("concurrency").asInt()).isEqualTo(4);
        assertThat(line.get("repeats").asInt()).isEqualTo(3);
        assertThat(line.get("sessions_per_s_all")).hasSize(3);
        assertThat(line.get("sessions_per_s").asDouble())
                .isBetween(line.get("sessions_per_s_min").asDouble(), line.get("sessions_per_s_max").asDouble());
        assertThat(line.get("runs_per_s").asDouble()).isEqualTo(line.get("sessions_per_s").asDouble());
        assertThat(line.get("model_calls_per_session").asDouble()).isEqualTo(3.0);
        assertThat(line.get("instances_per_session").asDouble()).as("ended sessions keep no agent instance").isZero();
        assertThat(line.get("dead_letters").asLong()).isZero();
        assertThat(line.get("failures").asLong()).isZero();
    }

    @Test
    void prints_the_in_flight_wall_time_against_the_ideal_and_the_memory_per_session() throws Exception {
        JsonNode line = run("--scenario", "runtime-in-flight", "--runs", "60", "--latency-ms", "20", "--warmup", "5");

        assertThat(line.get("scenario").asText()).isEqualTo("runtime");
        assertThat(line.get("config").asText()).isEqualTo("in-flight");
        assertThat(line.get("runs").asInt()).isEqualTo(60);
        assertThat(line.get("concurrency").asInt()).isEqualTo(60);
        assertThat(line.get("inflight").asInt()).isEqualTo(60);
        assertThat(line.get("latency_ms").asLong()).isEqualTo(20);
        assertThat(line.get("ideal_s").asDouble()).isEqualTo(0.06);
        assertThat(line.get("wall_vs_ideal").asDouble())
                .isEqualTo(line.get("wall_s").asDouble() / line.get("ideal_s").asDouble());
        assertThat(line.get("model_calls_per_session").asDouble()).isEqualTo(3.0);
        assertThat(line.get("kb_per_session").asDouble()).isEqualTo(line.get("kb_per_run").asDouble());
        assertThat(line.has("rss_kb_per_session")).isTrue();
        assertThat(line.get("open_at_memory_probe").asInt()).isBetween(0, 60);
        assertThat(line.get("dead_letters").asLong()).isZero();
        assertThat(line.get("failures").asLong()).isZero();
    }

    @Test
    void rejects_an_unknown_tracing_configuration() {
        int exit = new CommandLine(new BenchMain()).execute("--scenario", "runtime", "--config", "loud", "--runs", "1");

        assertThat(exit).isNotZero();
    }

    private static JsonNode run(String... args) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new BenchMain()).execute(args);
        } finally {
            System.setOut(out);
        }
        assertThat(exit).isZero();
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines).hasSize(1);
        return new ObjectMapper().readTree(lines[0]);
    }
}
