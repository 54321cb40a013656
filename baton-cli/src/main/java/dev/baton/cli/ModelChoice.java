package dev.baton.cli;

import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.offline.OfflineModel;
import dev.baton.openai.OpenAIProvider;
import dev.baton.openai.OpenAISettings;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The model every agent of a desk runs on: Baton's offline model, or a model of an OpenAI or
 * OpenAI-compatible endpoint.
 *
 * @param label how the banner names it
 * @param model the model, set on every run (it overrides the models the desk's agents name)
 * @param provider the OpenAI provider to close afterwards, if one was opened
 */
record ModelChoice(String label, Model model, @Nullable OpenAIProvider provider) implements AutoCloseable {
    static final String OFFLINE = "offline";
    static final String DEFAULT_OPENAI_MODEL = "gpt-4.1-mini";

    /**
     * Chooses the model. {@code requested} is the {@code --model} value: {@code offline}, a model
     * name, or null. Without it the choice is offline when neither {@code OPENAI_API_KEY} nor
     * {@code OPENAI_BASE_URL} is set, or when {@code offlineUnlessNamed} (the demo) holds; otherwise
     * {@code BATON_MODEL}, or {@value #DEFAULT_OPENAI_MODEL}.
     *
     * @throws CliError if a model is named but no endpoint is configured
     */
    static ModelChoice choose(@Nullable String requested, Map<String, String> env, boolean offlineUnlessNamed, boolean explain) {
        boolean endpoint = present(env, "OPENAI_API_KEY") || present(env, "OPENAI_BASE_URL");
        if (requested != null && requested.isBlank()) {
            throw new CliError("--model needs a value: 'offline' or a model name");
        }
        if (OFFLINE.equalsIgnoreCase(requested == null ? "" : requested.strip())) {
            return offline(endpoint ? OFFLINE : OFFLINE + " (no OPENAI_API_KEY)", explain);
        }
        if (requested == null && (!endpoint || offlineUnlessNamed)) {
            return offline(endpoint ? OFFLINE + " (pass --model <name> to use the endpoint)" : OFFLINE + " (no OPENAI_API_KEY)", explain);
        }
        if (!endpoint) {
            throw new CliError("--model " + requested + " needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server); "
                    + "use --model offline for the built-in model");
        }
        OpenAISettings settings = OpenAISettings.fromEnvironment(env);
        if (settings.apiKey() == null) {
            // Local OpenAI-compatible servers (Ollama, vLLM) ignore the key but the client wants one.
            settings = settings.toBuilder().apiKey("unused").build();
        }
        String name = requested != null ? requested.strip()
                : settings.defaultModel() != null ? settings.defaultModel() : DEFAULT_OPENAI_MODEL;
        OpenAIProvider provider = new OpenAIProvider(settings);
        String where = settings.baseUrl() == null ? "OpenAI" : settings.baseUrl();
        return new ModelChoice(provider.resolve(name) + " (" + where + ")", new Deferred(provider, name), provider);
    }

    /** The offline model; {@code explain} adds the rule it applied to each answer (shown by {@code --verbose}). */
    private static ModelChoice offline(String label, boolean explain) {
        return new ModelChoice(label, explain ? OfflineModel.explaining() : OfflineModel.create(), null);
    }

    /**
     * The provider's model for a name, made at its first call: a command that only lists runs or
     * approvals creates no HTTP client (the SDK's client and its classes cost a command a few
     * tenths of a second of start-up).
     */
    static final class Deferred implements Model {
        private final OpenAIProvider provider;
        private final String name;
        private @Nullable Model model;

        Deferred(OpenAIProvider provider, String name) {
            this.provider = provider;
            this.name = name;
        }

        /** Whether the model has been made (a call was made). */
        synchronized boolean made() {
            return model != null;
        }

        private synchronized Model model() {
            if (model == null) {
                model = provider.model(name);
            }
            return model;
        }

        @Override
        public ModelResponse respond(ModelRequest request) {
            return model().respond(request);
        }

        @Override
        public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
            return model().stream(request, events);
        }

        @Override
        public String toString() {
            return "Deferred[" + provider.resolve(name) + "]";
        }
    }

    private static boolean present(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    @Override
    public void close() {
        if (provider != null) {
            provider.close();
        }
    }
}
