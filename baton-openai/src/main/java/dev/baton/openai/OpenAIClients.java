package dev.baton.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.baton.UserError;

/** Creates SDK clients from {@link OpenAISettings}. */
final class OpenAIClients {
    /** Idle keep-alive connections kept per client: enough for many concurrent runs against one endpoint. */
    static final int MAX_IDLE_CONNECTIONS = 256;

    private OpenAIClients() {}

    static OpenAIClient create(OpenAISettings settings) {
        if (settings.apiKey() == null) {
            throw new UserError("No OpenAI API key: set OPENAI_API_KEY, or pass one with OpenAISettings.builder().apiKey(...)"
                    + " (any non-empty value for a local OpenAI-compatible server that needs none)");
        }
        OpenAIOkHttpClient.Builder builder = OpenAIOkHttpClient.builder()
                // OkHttp keeps 5 idle connections by default: with many runs calling at once, the
                // rest would be closed after each call and opened again for the next one.
                .okHttpClient(new okhttp3.OkHttpClient.Builder()
                        .connectionPool(new okhttp3.ConnectionPool(MAX_IDLE_CONNECTIONS, 5, java.util.concurrent.TimeUnit.MINUTES))
                        .build())
                .apiKey(settings.apiKey())
                .maxRetries(settings.maxRetries())
                .timeout(settings.timeout());
        if (settings.baseUrl() != null) {
            builder.baseUrl(settings.baseUrl());
        }
        return builder.build();
    }
}
