package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.openai.core.http.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.openai.client.OpenAIClient;
import java.util.Objects;

/**
 * What both OpenAI models share: the SDK client (closed only if owned), the model name, the
 * retries ({@link Retrying}: the SDK's own are turned off) and the error translation.
 */
abstract class OpenAIModelBase implements AutoCloseable {
    /** The client calls go through: the given one without the SDK's retries. */
    final OpenAIClient client;
    final String model;
    final OpenAISettings settings;
    private final OpenAIClient given;
    private final boolean ownsClient;

    OpenAIModelBase(OpenAIClient client, String model, OpenAISettings settings, boolean ownsClient) {
        this.given = Objects.requireNonNull(client, "client");
        this.client = client.withOptions(options -> options.maxRetries(0));
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
        return OpenAIErrors.translate(e, settings);
    }

    /** Reads JSON bodies straight from the wire; the plain defaults, since Baton reads trees, not typed objects. */
    private static final ObjectMapper WIRE = new ObjectMapper();

    /**
     * A response body as a JSON tree, read from the wire. Baton reads responses as trees; letting the
     * SDK bind its typed objects first, only to turn them back into a tree, cost about a quarter of
     * the client's CPU per call (profile of {@code benchmarks/run --scenario http}).
     */
    static JsonNode readBody(HttpResponse raw) {
        try (raw) {
            JsonNode tree = WIRE.readTree(raw.body());
            return tree == null ? MissingNode.getInstance() : tree;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a failure of this model may pass on a later try; see {@link OpenAICallFailed#retryable()}. */
    public boolean retryable(RuntimeException failure) {
        return failure instanceof OpenAICallFailed f && f.retryable();
    }

    /** Closes the client if this model created it. */
    @Override
    public void close() {
        if (ownsClient) {
            given.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + model + (settings.baseUrl() == null ? "" : " at " + settings.baseUrl()) + "]";
    }
}
