package dev.baton.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the OpenAPI 3.1 description of the API, kept as the resource {@code openapi.json} next to this class. */
final class OpenApiDoc {
    static final String RESOURCE = "openapi.json";

    private final byte[] document;

    OpenApiDoc() {
        this.document = load();
    }

    static byte[] load() {
        try (InputStream in = OpenApiDoc.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The server's " + RESOURCE + " resource is missing from its jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void routes(HttpRouting.Builder r) {
        Api.route(r, "/api/openapi.json", Method.GET, this::serve);
    }

    private void serve(ServerRequest req, ServerResponse res) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(document);
    }
}
