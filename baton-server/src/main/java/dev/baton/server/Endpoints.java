package dev.baton.server;

import dev.baton.durable.DurableClient;
import dev.baton.human.HumanQueue;
import dev.baton.session.SessionStore;
import io.helidon.webserver.http.HttpRouting;
import org.jspecify.annotations.Nullable;

/**
 * Every route of the server: the OpenAI-compatible {@code /v1} endpoint, the approvals, humans, sessions, metrics and OpenAPI endpoints, the web UI, then those of
 * {@link Api}, which ends with the answer to unknown paths (so it comes last).
 */
final class Endpoints {
    private Endpoints() {}

    /**
     * Without a session store ({@code sessions} and {@code openAi} null) the sessions and {@code /v1} endpoints are not served;
     * without a {@code humanQueue} no question for a person is ever listed.
     */
    static void register(HttpRouting.Builder r, Api api, Desks desks, DurableClient client, @Nullable SessionStore sessions,
            @Nullable OpenAiEndpoint openAi, SignIn signIn, @Nullable HumanQueue humanQueue) {
        register(r, api, desks, client, sessions, openAi, signIn, humanQueue, java.util.Map.of());
    }

    /** As above, with the desks served on the publish/subscribe runtime. */
    static void register(HttpRouting.Builder r, Api api, Desks desks, DurableClient client, @Nullable SessionStore sessions,
            @Nullable OpenAiEndpoint openAi, SignIn signIn, @Nullable HumanQueue humanQueue,
            java.util.Map<String, RuntimeApi.Hosted> runtimeDesks) {
        signIn.routes(r);
        new RuntimeApi(api, runtimeDesks).routes(r);
        Humans humans = new Humans(humanQueue);
        if (openAi != null) {
            openAi.routes(r);
        }
        RuntimeDecisions decisions = new RuntimeDecisions(runtimeDesks);
        new ApprovalsApi(api, client, decisions).routes(r);
        new HumansApi(api, humans).routes(r);
        if (sessions != null) {
            new SessionsApi(api, desks, client, sessions).routes(r);
        }
        new MetricsApi(client.store()).routes(r);
        new McpEndpoint(desks, client, api.maxBodyBytes()).routes(r);
        new OpenApiDoc().routes(r);
        new ApprovalsPage(api, client, humans, decisions).routes(r);
        new ChatPage(api, desks, client, sessions, humans, runtimeDesks.keySet()).routes(r);
        new RuntimeChatPage(api, runtimeDesks, sessions, humans).routes(r);
        new OverviewPage(desks, new Overview(desks, client.store())).routes(r);
        new WebUi(desks, client.store(), api.privacy()).routes(r);
        api.routes(r);
    }
}
