package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same desk on a real model endpoint: {@code OPENAI_BASE_URL} points at an OpenAI-compatible
 * server on loopback (Chat Completions, the way Ollama, vLLM or LM Studio serve it) that plays a
 * model: it hands the customer to billing, then answers. The banner names the model and the
 * endpoint; the handoff and the reply come from the server.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ModelEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            requests.add(request);
            boolean offersBilling = request.path("tools").findValuesAsText("name").contains("transfer_to_billing_specialist");
            String message = offersBilling
                    ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"transfer_to_billing_specialist\",\"arguments\":\"{}\"}}]}"
                    : "{\"role\":\"assistant\",\"content\":\"Billing here: I will look into INV-8821 for you.\"}";
            byte[] body = ("{\"id\":\"chatcmpl-" + requests.size() + "\",\"object\":\"chat.completion\",\"created\":0,"
                    + "\"model\":\"local-model\",\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\""
                    + (offersBilling ? "tool_calls" : "stop") + "\"}],"
                    + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":8,\"total_tokens\":48}}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void the_support_desk_runs_on_an_openai_compatible_endpoint_named_by_openai_base_url() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";

        Cli.Result r = Cli.inProcess(dir, Map.of("OPENAI_BASE_URL", url), "", "run", "I was charged twice for INV-8821",
                "--desk", "support", "--model", "local-model");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("model local-model (" + url).doesNotContain("model offline")
                .contains("-> handoff support_triage -> billing_specialist")
                .contains("Billing here: I will look into INV-8821 for you.");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).path("model").asText()).isEqualTo("local-model");
        assertThat(requests.get(1).toString()).contains("billing_specialist");
    }
}
