package dev.baton.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.baton.UserError;

/** Creates SDK clients from {@link OpenAISettings}. */
final class OpenAIClients {
    private OpenAIClients() {}

    static OpenAIClient create(OpenAISettings settings) {
        if (settings.apiKey() == null) {
            throw new UserError("No OpenAI API key: set OPENAI_API_KEY, or pass one with OpenAISettings.builder().apiKey(...)"
                    + " (any non-empty value for a local OpenAI-compatible server that needs none)");
        }
        OpenAIOkHttpClient.Builder builder = OpenAIOkHttpClient.builder()
                .apiKey(settings.apiKey())
                .maxRetries(settings.maxRetries())
                .timeout(settings.timeout());
        if (settings.baseUrl() != null) {
            builder.baseUrl(settings.baseUrl());
        }
        return builder.build();
    }
}
