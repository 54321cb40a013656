package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.testing.ScriptedModel;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class OpenApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    BatonServer server;
    Http http;

    @BeforeEach
    void serve() {
        server = Desk.server(ScriptedModel.create())
                .desk("support", Desk.triage())
                .build()
                .start();
        http = new Http(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void the_server_serves_its_openapi_3_1_description() throws IOException {
        Http.Answer answer = http.get("/api/openapi.json");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(answer.body()).isEqualTo(JSON.readTree(OpenApiDoc.load()));
        assertThat(answer.body().get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(http.post("/api/openapi.json", "{}").status()).isEqualTo(405);
    }

    @Test
    void every_route_the_server_registers_is_described_and_every_described_operation_is_a_route() throws IOException {
        Set<String> registered = registeredRoutes();
        Set<String> described = new TreeSet<>();
        JsonNode paths = JSON.readTree(OpenApiDoc.load()).get("paths");
        paths.fieldNames().forEachRemaining(path -> paths.get(path).fieldNames()
                .forEachRemaining(method -> described.add(method.toUpperCase(Locale.ROOT) + " " + path)));

        assertThat(registered).contains("GET /api/health", "POST /api/runs/{id}/approvals/{callId}", "GET /api/openapi.json");
        assertThat(described).isEqualTo(registered);
    }

    @Test
    void every_described_operation_has_an_id_a_summary_and_answers_and_its_references_resolve() throws IOException {
        JsonNode doc = JSON.readTree(OpenApiDoc.load());
        JsonNode schemas = doc.get("components").get("schemas");
        Set<String> operationIds = new TreeSet<>();
        doc.get("paths").forEach(item -> item.forEach(op -> {
            assertThat(op.hasNonNull("summary")).as(op.toString()).isTrue();
            assertThat(operationIds.add(op.get("operationId").asText())).as("unique operationId " + op.get("operationId")).isTrue();
            assertThat(op.get("responses").size()).as(op.get("operationId").asText()).isPositive();
        }));
        doc.findValues("$ref").forEach(ref -> assertThat(schemas.has(ref.asText().replace("#/components/schemas/", "")))
                .as(ref.asText()).isTrue());
    }

    /** "METHOD path" of each route the server registers, read by registering them on a recording builder. */
    private Set<String> registeredRoutes() {
        Set<String> routes = new TreeSet<>();
        HttpRouting.Builder recorder = (HttpRouting.Builder) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpRouting.Builder.class}, (proxy, method, args) -> {
                    if (method.getName().equals("route") && args != null && args.length == 3
                            && args[0] instanceof Method m && args[1] instanceof String path) {
                        routes.add(m.text() + " " + path);
                    } else if (Set.of("get", "post", "put", "delete", "patch", "head").contains(method.getName())
                            && args != null && args.length > 0 && args[0] instanceof String path) {
                        routes.add(method.getName().toUpperCase(Locale.ROOT) + " " + path);
                    }
                    return method.getReturnType().isInstance(proxy) ? proxy : null;
                });
        Desks desks = Desks.of(java.util.Map.of("support", Desk.triage()));
        Api api = new Api(desks, server.worker().client(), 1024, new Privacy(true));
        // The /api routes only: the OpenAI-compatible /v1 endpoint is described by OpenAI's own API reference.
        Endpoints.register(recorder, api, desks, server.worker().client(), new dev.baton.session.InMemorySessionStore(), null,
                new SignIn(null, 1024), new dev.baton.human.HumanQueue());
        // The web UI's pages under / and /ui are HTML for browsers, not operations of the API.
        routes.removeIf(route -> !route.substring(route.indexOf(' ') + 1).startsWith("/api/"));
        return routes;
    }
}
