package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelSettings;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.ToolChoice;
import dev.baton.testing.ConformanceRequests;
import dev.baton.testing.ConformanceScript;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Calls the real endpoint; runs only when {@code OPENAI_API_KEY} is set (model: {@code BATON_MODEL}, else gpt-4.1-mini). */
@EnabledIfEnvironmentVariable(named = "OPENAI_API_KEY", matches = ".+")
class OpenAILiveSmokeTest {
    private static final OpenAISettings SETTINGS = OpenAISettings.fromEnvironment();
    private static final String MODEL = SETTINGS.defaultModel() != null ? SETTINGS.defaultModel() : "gpt-4.1-mini";

    @Test
    void a_plain_answer_and_a_streamed_answer() {
        try (OpenAIProvider provider = new OpenAIProvider(SETTINGS)) {
            var model = provider.model(MODEL);
            ModelRequest request = ModelRequest.of("smoke", "Answer in one short sentence.", List.of(Message.user("Say hello.")));

            ModelResponse response = model.respond(request);
            List<ModelStreamEvent> events = new ArrayList<>();
            ModelResponse streamed = model.stream(request, events::add);

            assertThat(response.output()).singleElement().isInstanceOfSatisfying(Message.class, m -> assertThat(m.text()).isNotBlank());
            assertThat(response.usage().inputTokens()).isPositive();
            assertThat(response.responseId()).isNotBlank();
            assertThat(streamed.output()).singleElement().isInstanceOf(Message.class);
            assertThat(events).isNotEmpty();
        }
    }

    @Test
    void a_forced_handoff_call() {
        try (OpenAIProvider provider = new OpenAIProvider(SETTINGS)) {
            ModelRequest triage = ConformanceRequests.triage();
            ModelRequest forced = new ModelRequest(triage.agent(), triage.instructions(), triage.input(), triage.tools(), triage.handoffs(),
                    null, ModelSettings.defaults().withToolChoice(ToolChoice.named(ConformanceScript.HANDOFF_TOOL)));

            ModelResponse response = provider.model(MODEL).respond(forced);

            assertThat(response.output()).filteredOn(ToolCall.class::isInstance)
                    .extracting(i -> ((ToolCall) i).name()).containsExactly(ConformanceScript.HANDOFF_TOOL);
        }
    }

    @Test
    void the_responses_api_answers_streams_and_forces_the_handoff() {
        try (OpenAIProvider provider = new OpenAIProvider(SETTINGS.toBuilder().api(OpenAISettings.Api.RESPONSES).build())) {
            var model = provider.model(MODEL);
            ModelRequest request = ModelRequest.of("smoke", "Answer in one short sentence.", List.of(Message.user("Say hello.")));
            ModelRequest triage = ConformanceRequests.triage();
            ModelRequest forced = new ModelRequest(triage.agent(), triage.instructions(), triage.input(), triage.tools(), triage.handoffs(),
                    null, ModelSettings.defaults().withToolChoice(ToolChoice.named(ConformanceScript.HANDOFF_TOOL)));

            ModelResponse response = model.respond(request);
            List<ModelStreamEvent> events = new ArrayList<>();
            ModelResponse streamed = model.stream(request, events::add);
            ModelResponse handoff = model.respond(forced);

            assertThat(response.output()).filteredOn(Message.class::isInstance).singleElement()
                    .satisfies(m -> assertThat(((Message) m).text()).isNotBlank());
            assertThat(response.responseId()).startsWith("resp");
            assertThat(streamed.output()).filteredOn(Message.class::isInstance).hasSize(1);
            assertThat(events).isNotEmpty();
            assertThat(handoff.output()).filteredOn(ToolCall.class::isInstance)
                    .extracting(i -> ((ToolCall) i).name()).containsExactly(ConformanceScript.HANDOFF_TOOL);
        }
    }
}
