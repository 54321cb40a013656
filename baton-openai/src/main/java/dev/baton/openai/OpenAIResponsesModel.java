package dev.baton.openai;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.ResponseStreamEvent;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A model behind the OpenAI Responses API ({@code POST /responses}). Instructions go in
 * {@code instructions}; messages, function calls, their outputs and reasoning items are input
 * items; tools and handoffs are strict function tools. By default responses are not stored by
 * OpenAI ({@code store: false}) and reasoning items come back with their encrypted content, which
 * is sent back with them on the next call, so reasoning models keep their reasoning across turns
 * without server-side state ({@link OpenAISettings#store()}).
 *
 * <p>HTTP and SSE parsing are the openai-java SDK's; retries (429, 5xx, a refused or dropped
 * connection, with backoff honouring {@code Retry-After}) are Baton's, each logged as one WARN line. Errors are those of {@link OpenAIChatCompletionsModel}:
 * {@link OpenAIRequestFailed}, {@link OpenAICallTimedOut}, {@link OpenAICallFailed}.
 */
public final class OpenAIResponsesModel extends OpenAIModelBase implements Model {
    private OpenAIResponsesModel(OpenAIClient client, String model, OpenAISettings settings, boolean ownsClient) {
        super(client, model, settings, ownsClient);
    }

    /**
     * A model with its own client, configured by {@code settings}; {@link #close()} closes the client.
     *
     * @throws dev.baton.UserError if the settings have no API key
     */
    public static OpenAIResponsesModel create(OpenAISettings settings, String model) {
        return new OpenAIResponsesModel(OpenAIClients.create(settings), model, settings, true);
    }

    /**
     * A model on a client the caller owns and closes; {@code settings} give the key to keep out of
     * error messages, the timeout to report and whether responses are stored.
     */
    public static OpenAIResponsesModel of(OpenAIClient client, String model, OpenAISettings settings) {
        return new OpenAIResponsesModel(client, model, settings, false);
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        try {
            var params = ResponsesRequests.toParams(model, request, settings.store());
            return ResponsesResponses.fromResponse(Retrying.call(settings,
                    () -> readBody(client.responses().withRawResponse().create(params))));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    @Override
    public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
        ResponsesResponses.StreamAssembly assembly = new ResponsesResponses.StreamAssembly(events, settings.apiKey());
        try (StreamResponse<ResponseStreamEvent> response = Retrying.call(settings, () -> client.responses()
                .createStreaming(ResponsesRequests.toParams(model, request, settings.store())));
                Stream<ResponseStreamEvent> stream = response.stream()) {
            Iterator<ResponseStreamEvent> it = stream.iterator();
            while (it.hasNext()) {
                assembly.accept(ChatCompletionsResponses.tree(it.next()));
            }
        } catch (OpenAICallFailed e) {
            throw e;
        } catch (RuntimeException e) {
            throw translate(e);
        }
        return assembly.finish();
    }
}
