package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.item.Message;
import dev.baton.model.ModelProvider;
import dev.baton.model.ModelRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class OpenAIProviderTest {

    @Test
    void names_resolve_with_or_without_the_openai_prefix_and_other_slashes_pass_through() {
        OpenAIProvider provider = new OpenAIProvider(OpenAISettings.builder().apiKey("k").build());

        assertThat(provider.resolve("gpt-4.1-mini")).isEqualTo("gpt-4.1-mini");
        assertThat(provider.resolve("openai/gpt-4.1-mini")).isEqualTo("gpt-4.1-mini");
        assertThat(provider.resolve("meta-llama/Llama-3.1-8B-Instruct")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThatThrownBy(() -> provider.resolve("")).isInstanceOf(UserError.class).hasMessageContaining("BATON_MODEL");
    }

    @Test
    void an_empty_name_uses_the_default_model() {
        OpenAIProvider provider = new OpenAIProvider(OpenAISettings.builder().apiKey("k").defaultModel("openai/gpt-4.1").build());

        assertThat(provider.resolve(" ")).isEqualTo("gpt-4.1");
    }

    @Test
    void the_environment_gives_key_base_url_and_default_model() {
        OpenAISettings settings = OpenAISettings.fromEnvironment(Map.of(
                "OPENAI_API_KEY", "sk-env", "OPENAI_BASE_URL", "http://localhost:11434/v1", "BATON_MODEL", "llama3.2"));

        assertThat(settings.apiKey()).isEqualTo("sk-env");
        assertThat(settings.baseUrl()).isEqualTo("http://localhost:11434/v1");
        assertThat(settings.defaultModel()).isEqualTo("llama3.2");
        assertThat(settings.api()).isEqualTo(OpenAISettings.Api.CHAT_COMPLETIONS);
        assertThat(settings.maxRetries()).isEqualTo(OpenAISettings.DEFAULT_MAX_RETRIES);
        assertThat(settings.timeout()).isEqualTo(OpenAISettings.DEFAULT_TIMEOUT);
        assertThat(settings.toString()).doesNotContain("sk-env");
    }

    @Test
    void settings_reject_negative_retries_and_non_positive_timeouts() {
        assertThatThrownBy(() -> OpenAISettings.builder().maxRetries(-1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpenAISettings.builder().timeout(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_missing_key_fails_with_a_user_error_when_a_model_is_requested_not_before() {
        OpenAIProvider provider = new OpenAIProvider(OpenAISettings.fromEnvironment(Map.of()));

        assertThatThrownBy(() -> provider.model("gpt-4.1-mini"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("OPENAI_API_KEY");
        assertThatThrownBy(() -> OpenAIChatCompletionsModel.create(OpenAISettings.fromEnvironment(Map.of()), "gpt-4.1-mini"))
                .isInstanceOf(UserError.class);
    }

    @Test
    void the_service_loader_finds_the_provider_without_configuration() {
        List<ModelProvider> providers = ServiceLoader.load(ModelProvider.class).stream().map(ServiceLoader.Provider::get).toList();

        assertThat(providers).hasAtLeastOneElementOfType(OpenAIProvider.class);
    }

    @Test
    void models_of_a_provider_share_its_client_and_call_the_configured_endpoint() {
        try (FixtureServer server = SupportFlowServer.start();
                OpenAIProvider provider = new OpenAIProvider(server.settings())) {
            var first = provider.model("openai/fixture-model");
            var second = provider.model("other-model");

            first.respond(ModelRequest.of("a", null, List.of(Message.user("hi"))));
            second.respond(ModelRequest.of("a", null, List.of(Message.user("hi"))));

            assertThat(server.requests()).extracting(r -> r.json().get("model").asText()).containsExactly("fixture-model", "other-model");
            assertThat(first.toString()).contains("fixture-model").doesNotContain(FixtureServer.API_KEY);
        }
    }

    @Test
    void the_environment_chooses_the_api_and_defaults_to_chat_completions() {
        assertThat(OpenAISettings.fromEnvironment(Map.of("BATON_OPENAI_API", "responses")).api()).isEqualTo(OpenAISettings.Api.RESPONSES);
        assertThat(OpenAISettings.fromEnvironment(Map.of("BATON_OPENAI_API", " Responses ")).api()).isEqualTo(OpenAISettings.Api.RESPONSES);
        assertThat(OpenAISettings.fromEnvironment(Map.of("BATON_OPENAI_API", "chat")).api()).isEqualTo(OpenAISettings.Api.CHAT_COMPLETIONS);
        assertThat(OpenAISettings.fromEnvironment(Map.of("BATON_OPENAI_API", "")).api()).isEqualTo(OpenAISettings.Api.CHAT_COMPLETIONS);
        assertThat(OpenAISettings.builder().build().api()).isEqualTo(OpenAISettings.Api.CHAT_COMPLETIONS);
        assertThat(OpenAISettings.builder().build().store()).isFalse();
        assertThatThrownBy(() -> OpenAISettings.fromEnvironment(Map.of("BATON_OPENAI_API", "assistants")))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("BATON_OPENAI_API")
                .hasMessageContaining("assistants");
    }

    @Test
    void settings_for_the_responses_api_make_the_provider_create_responses_models() {
        try (FixtureServer server = ResponsesSupportFlowServer.start();
                OpenAIProvider provider = new OpenAIProvider(ResponsesSupportFlowServer.settings(server));
                OpenAIProvider chat = new OpenAIProvider(server.settings())) {
            var model = provider.model("openai/fixture-model");

            model.respond(ModelRequest.of("a", null, List.of(Message.user("hi"))));

            assertThat(model).isInstanceOf(OpenAIResponsesModel.class);
            assertThat(((OpenAIResponsesModel) model).modelName()).isEqualTo("fixture-model");
            assertThat(model.toString()).contains("fixture-model").doesNotContain(FixtureServer.API_KEY);
            assertThat(server.lastRequest().path()).isEqualTo("/v1/responses");
            assertThat(chat.model("fixture-model")).isInstanceOf(OpenAIChatCompletionsModel.class);
        }
    }
}
