package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.Message;
import dev.baton.model.ModelRequest;
import dev.baton.openai.OpenAICallFailed;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The model a command runs on is made when a run first calls it, not when the command starts. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ModelChoiceTest {

    @Test
    void an_endpoint_model_is_named_at_once_and_made_at_its_first_call() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/v1";

        try (ModelChoice choice = ModelChoice.choose("local-model", Map.of("OPENAI_BASE_URL", url), false, false)) {
            assertThat(choice.label()).isEqualTo("local-model (" + url + ")");
            ModelChoice.Deferred model = (ModelChoice.Deferred) choice.model();
            assertThat(model.made()).as("made before any call").isFalse();

            assertThatThrownBy(() -> model.respond(ModelRequest.of("a", null, List.of(Message.user("hi")))))
                    .isInstanceOf(OpenAICallFailed.class)
                    .hasMessageContaining("connection refused to 127.0.0.1:" + port);
            assertThat(model.made()).isTrue();
        }
    }
}
