package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelCallFailed;
import dev.baton.agent.Agent;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A run that fails on the model says whether trying it again later may help, as the endpoint's answer tells. */
@DisplayName("OpenAI failures marked retryable or not")
class RetryableFailureTest {
    private final FixtureServer server = new FixtureServer();
    private final OpenAIChatCompletionsModel model = server.model();
    private final Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
    private final Agent<Void> agent = Agent.<Void>builder("support_triage").build();

    @AfterEach
    void close() {
        model.close();
        server.close();
    }

    private void failsWith(boolean retryable) {
        assertThatThrownBy(() -> runner.run(agent, "hello"))
                .isInstanceOfSatisfying(ModelCallFailed.class, e -> org.assertj.core.api.Assertions.assertThat(e.retryable())
                        .as("retryable, for %s", e.getCause()).isEqualTo(retryable));
    }

    @Test
    void a_rate_limit_still_reached_after_the_retries_may_pass_later() {
        for (int i = 0; i < 10; i++) {
            server.enqueue(FixtureServer.Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\"}}", Map.of("Retry-After", "0")));
        }
        failsWith(true);
    }

    @Test
    void a_server_error_may_pass_later() {
        for (int i = 0; i < 10; i++) {
            server.enqueue(FixtureServer.Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}", Map.of("Retry-After", "0")));
        }
        failsWith(true);
    }

    @Test
    void a_rejected_api_key_will_fail_the_same_way() {
        server.enqueue(FixtureServer.Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key\",\"code\":\"invalid_api_key\"}}", Map.of()));
        failsWith(false);
    }

    @Test
    void a_malformed_request_will_fail_the_same_way() {
        server.enqueue(FixtureServer.Reply.json(400, "{\"error\":{\"message\":\"bad schema\",\"type\":\"invalid_request_error\"}}", Map.of()));
        failsWith(false);
    }

    @Test
    void a_refused_connection_may_pass_once_the_server_is_back() {
        server.close();
        failsWith(true);
    }
}
