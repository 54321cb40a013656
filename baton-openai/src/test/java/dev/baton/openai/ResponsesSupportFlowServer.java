package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.testing.ConformanceScript;
import java.util.List;

/**
 * {@link ConformanceScript#supportFlow} over the Responses API wire format: answers a
 * {@code POST /responses} body (plain or {@code stream: true}) the way the script answers the
 * matching Baton request.
 */
final class ResponsesSupportFlowServer {
    private ResponsesSupportFlowServer() {}

    static FixtureServer start() {
        return new FixtureServer().answering(ResponsesSupportFlowServer::answer);
    }

    static OpenAISettings settings(FixtureServer server) {
        return server.settings().toBuilder().api(OpenAISettings.Api.RESPONSES).build();
    }

    static FixtureServer.Reply answer(JsonNode request) {
        JsonNode input = request.path("input");
        ObjectNode item;
        if (offers(request, ConformanceScript.HANDOFF_TOOL)) {
            item = call(ConformanceScript.HANDOFF_TOOL, "{}", input.size());
        } else if (answersInvoiceCall(input)) {
            item = ResponsesWire.message("msg_" + input.size(), ConformanceScript.REFUND_REPLY);
        } else {
            item = call(ConformanceScript.INVOICE_TOOL, ConformanceScript.INVOICE_ARGUMENTS, input.size());
        }
        int inputTokens = 10 + request.toString().length() / 4;
        int outputTokens = "message".equals(item.path("type").asText()) ? 8 : 6;
        ObjectNode response = ResponsesWire.response("resp_" + input.size(), List.of(item),
                ResponsesWire.usage(inputTokens, outputTokens, 0, 0));
        return request.path("stream").asBoolean(false)
                ? FixtureServer.Reply.events(ResponsesWire.events(response, 3))
                : FixtureServer.Reply.json(response.toString());
    }

    private static ObjectNode call(String function, String arguments, int inputSize) {
        return ResponsesWire.functionCall("fc_" + function + "_" + inputSize, "call_" + function + "_" + inputSize, function, arguments);
    }

    private static boolean offers(JsonNode request, String name) {
        for (JsonNode tool : request.path("tools")) {
            if ("function".equals(tool.path("type").asText()) && name.equals(tool.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean answersInvoiceCall(JsonNode input) {
        if (input.isEmpty()) {
            return false;
        }
        JsonNode last = input.get(input.size() - 1);
        if (!"function_call_output".equals(last.path("type").asText())) {
            return false;
        }
        String id = last.path("call_id").asText();
        for (JsonNode item : input) {
            if ("function_call".equals(item.path("type").asText()) && id.equals(item.path("call_id").asText())
                    && ConformanceScript.INVOICE_TOOL.equals(item.path("name").asText())) {
                return true;
            }
        }
        return false;
    }
}
