package dev.baton.openai;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A model behind the OpenAI Chat Completions API ({@code POST /chat/completions}), on OpenAI or any
 * OpenAI-compatible server (Ollama, vLLM, LM Studio, gateways). HTTP and SSE parsing are the
 * openai-java SDK's; retries (429, 5xx, a refused or dropped connection, with backoff honouring
 * {@code Retry-After}) are Baton's, each logged as one WARN line.
 *
 * <p>Errors: an HTTP error becomes {@link OpenAIRequestFailed}, a timeout {@link OpenAICallTimedOut},
 * any other failure (connection, a stream that ends early) {@link OpenAICallFailed}, whose message
 * names the cause (connection refused to host:port, unknown host, TLS failure); the runner
 * reports each as the cause of a {@link dev.baton.ModelCallFailed}.
 */
public final class OpenAIChatCompletionsModel extends OpenAIModelBase implements Model {
    private OpenAIChatCompletionsModel(OpenAIClient client, String model, OpenAISettings settings, boolean ownsClient) {
        super(client, model, settings, ownsClient);
    }

    /**
     * A model with its own client, configured by {@code settings}; {@link #close()} closes the client.
     *
     * @throws dev.baton.UserError if the settings have no API key
     */
    public static OpenAIChatCompletionsModel create(OpenAISettings settings, String model) {
        return new OpenAIChatCompletionsModel(OpenAIClients.create(settings), model, settings, true);
    }

    /**
     * A model on a client the caller owns and closes; {@code settings} give the key to keep out of
     * error messages and the timeout to report.
     */
    public static OpenAIChatCompletionsModel of(OpenAIClient client, String model, OpenAISettings settings) {
        return new OpenAIChatCompletionsModel(client, model, settings, false);
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        try {
            var params = ChatCompletionsRequests.toParams(model, request, false);
            return ChatCompletionsResponses.fromCompletion(Retrying.call(settings,
                    () -> readBody(client.chat().completions().withRawResponse().create(params))));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
        ChatCompletionsResponses.StreamAssembly assembly = new ChatCompletionsResponses.StreamAssembly(events);
        try (StreamResponse<ChatCompletionChunk> response = Retrying.call(settings, () -> client.chat().completions()
                .createStreaming(ChatCompletionsRequests.toParams(model, request, true)));
                Stream<ChatCompletionChunk> chunks = response.stream()) {
            Iterator<ChatCompletionChunk> it = chunks.iterator();
            while (it.hasNext()) {
                assembly.accept(ChatCompletionsResponses.tree(it.next()));
            }
        } catch (RuntimeException e) {
            throw translate(e);
        }
        return assembly.finish();
    }
}
