package dev.baton.openai;

import com.openai.client.OpenAIClient;
import java.util.Objects;

/** What both OpenAI models share: the SDK client (closed only if owned), the model name and the error translation. */
abstract class OpenAIModelBase implements AutoCloseable {
    final OpenAIClient client;
    final String model;
    final OpenAISettings settings;
    private final boolean ownsClient;

    OpenAIModelBase(OpenAIClient client, String model, OpenAISettings settings, boolean ownsClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.model = Objects.requireNonNull(model, "model");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ownsClient = ownsClient;
    }

    /** The model name sent to the endpoint. */
    public String modelName() {
        return model;
    }

    /** The SDK's exception as Baton's, with the API key kept out of the message. */
    RuntimeException translate(RuntimeException e) {
        return OpenAIErrors.translate(e, settings.apiKey(), settings.timeout());
    }

    /** Closes the client if this model created it. */
    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + model + (settings.baseUrl() == null ? "" : " at " + settings.baseUrl()) + "]";
    }
}
