package dev.baton.openai;

import com.openai.client.OpenAIClient;
import dev.baton.UserError;
import dev.baton.model.Model;
import dev.baton.model.ModelProvider;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Resolves model names to OpenAI models: {@code gpt-4.1-mini}, or {@code openai/gpt-4.1-mini}
 * (the prefix is stripped); any other name is passed to the endpoint as is, so an
 * OpenAI-compatible server's names ({@code llama3.2}, {@code meta-llama/Llama-3.1-8B}) work too.
 * An empty name means the settings' default model ({@code BATON_MODEL}).
 *
 * <p>The settings' {@link OpenAISettings#api()} chooses the model: {@link OpenAIChatCompletionsModel}
 * (the default) or {@link OpenAIResponsesModel}.
 *
 * <p>Registered for {@link java.util.ServiceLoader}: the no-argument constructor reads the
 * environment and fails only for an unknown {@code BATON_OPENAI_API}; a missing API key fails with a {@link UserError} when a model is
 * first requested. All models of a provider share one SDK client, closed by {@link #close()}.
 */
public final class OpenAIProvider implements ModelProvider, AutoCloseable {
    private static final String PREFIX = "openai/";

    private final OpenAISettings settings;
    private @Nullable OpenAIClient client;

    /** A provider configured from the environment ({@link OpenAISettings#fromEnvironment()}). */
    public OpenAIProvider() {
        this(OpenAISettings.fromEnvironment());
    }

    public OpenAIProvider(OpenAISettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** A provider configured from {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}, {@code BATON_MODEL} and {@code BATON_OPENAI_API}. */
    public static OpenAIProvider fromEnvironment() {
        return new OpenAIProvider();
    }

    public OpenAISettings settings() {
        return settings;
    }

    /**
     * The model for {@code name}.
     *
     * @throws UserError if no API key is configured, or the name is empty and there is no default model
     */
    @Override
    public Model model(String name) {
        String resolved = resolve(name);
        return switch (settings.api()) {
            case CHAT_COMPLETIONS -> OpenAIChatCompletionsModel.of(client(), resolved, settings);
            case RESPONSES -> OpenAIResponsesModel.of(client(), resolved, settings);
        };
    }

    /** The name sent to the endpoint for {@code name}. */
    public String resolve(@Nullable String name) {
        String n = name == null ? "" : name.strip();
        if (n.startsWith(PREFIX)) {
            n = n.substring(PREFIX.length()).strip();
        }
        if (n.isEmpty()) {
            if (settings.defaultModel() == null) {
                throw new UserError("No OpenAI model named: name one (such as 'gpt-4.1-mini') or set BATON_MODEL");
            }
            return resolve(settings.defaultModel());
        }
        return n;
    }

    private synchronized OpenAIClient client() {
        if (client == null) {
            client = OpenAIClients.create(settings);
        }
        return client;
    }

    /** Closes the shared client; models obtained from this provider stop working. */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public String toString() {
        return "OpenAIProvider[" + settings + "]";
    }
}
