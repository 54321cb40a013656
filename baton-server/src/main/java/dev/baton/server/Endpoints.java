package dev.baton.server;

import dev.baton.durable.DurableWorker;
import dev.baton.session.SessionStore;
import io.helidon.webserver.http.HttpRouting;

/**
 * Every route of the server: the OpenAI-compatible {@code /v1} endpoint, the approvals, sessions, metrics and OpenAPI endpoints, then those of
 * {@link Api}, which ends with the answer to unknown paths (so it comes last).
 */
final class Endpoints {
    private Endpoints() {}

    static void register(HttpRouting.Builder r, Api api, Desks desks, DurableWorker worker, SessionStore sessions,
            OpenAiEndpoint openAi) {
        openAi.routes(r);
        new ApprovalsApi(api, worker).routes(r);
        new SessionsApi(api, desks, worker, sessions).routes(r);
        new MetricsApi(worker.store()).routes(r);
        new OpenApiDoc().routes(r);
        api.routes(r);
    }
}
