package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.JsonValue;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionCallOutputItem;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseIncludable;
import com.openai.models.responses.ResponseInputImageContent;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseInputTextContent;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.ToolChoiceFunction;
import com.openai.models.responses.ToolChoiceOptions;
import dev.baton.item.Image;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelSettings;
import dev.baton.model.ToolChoice;
import dev.baton.model.ToolSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Maps a Baton {@link ModelRequest} to the SDK's Responses API parameters. */
final class ResponsesRequests {
    /** The name of the JSON schema sent as {@code text.format} for structured output. */
    static final String OUTPUT_SCHEMA_NAME = ChatCompletionsRequests.OUTPUT_SCHEMA_NAME;

    private ResponsesRequests() {}

    /**
     * The parameters for {@code request}. With {@code store} false the response is not kept by
     * OpenAI and reasoning items come back with their encrypted content, so they can be sent back
     * on the next call without server-side state.
     */
    static ResponseCreateParams toParams(String model, ModelRequest request, boolean store) {
        ResponseCreateParams.Builder params = ResponseCreateParams.builder().model(model);
        if (request.instructions() != null) {
            params.instructions(request.instructions());
        }
        params.inputOfResponse(input(request.input()));
        for (ToolSpec tool : request.tools()) {
            params.addTool(functionTool(tool));
        }
        for (HandoffSpec handoff : request.handoffs()) {
            params.addTool(functionTool(handoff.tool()));
        }
        if (request.outputSchema() != null) {
            params.text(ResponseTextConfig.builder()
                    .format(ResponseFormatTextJsonSchemaConfig.builder()
                            .name(OUTPUT_SCHEMA_NAME)
                            .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                                    .additionalProperties(properties(request.outputSchema()))
                                    .build())
                            .strict(true)
                            .build())
                    .build());
        }
        applySettings(params, request.settings(), !request.tools().isEmpty() || !request.handoffs().isEmpty());
        params.store(store);
        if (!store) {
            params.addInclude(ResponseIncludable.REASONING_ENCRYPTED_CONTENT);
        }
        return params.build();
    }

    static List<ResponseInputItem> input(List<Item> items) {
        List<ResponseInputItem> input = new ArrayList<>(items.size());
        for (Item item : items) {
            switch (item) {
                case Message m -> input.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
                        .role(role(m.role()))
                        .content(said(m))
                        .build()));
                case ToolCall call -> {
                    ResponseFunctionToolCall.Builder functionCall = ResponseFunctionToolCall.builder()
                            .callId(call.callId())
                            .name(call.name())
                            .arguments(call.arguments().isBlank() ? "{}" : call.arguments());
                    if (call.id() != null && !call.id().isBlank()) {
                        functionCall.id(call.id());
                    }
                    input.add(ResponseInputItem.ofFunctionCall(functionCall.build()));
                }
                case ToolOutput out -> input.add(ResponseInputItem.ofFunctionCallOutput(functionCallOutput(out)));
                case Reasoning r -> {
                    // Only a reasoning item with an id can be sent back; one without is a summary for the reader.
                    if (r.id() != null && !r.id().isBlank()) {
                        ResponseReasoningItem.Builder reasoning = ResponseReasoningItem.builder().id(r.id()).summary(List.of());
                        if (!r.summary().isEmpty()) {
                            reasoning.addSummary(ResponseReasoningItem.Summary.builder().text(r.summary()).build());
                        }
                        if (r.encryptedContent() != null) {
                            reasoning.encryptedContent(r.encryptedContent());
                        }
                        input.add(ResponseInputItem.ofReasoning(reasoning.build()));
                    }
                }
            }
        }
        return input;
    }

    /** A tool's output: its text, or its text and images as a list of parts when it returned images. */
    private static ResponseInputItem.FunctionCallOutput functionCallOutput(ToolOutput out) {
        ResponseInputItem.FunctionCallOutput.Builder output = ResponseInputItem.FunctionCallOutput.builder().callId(out.callId());
        if (out.images().isEmpty()) {
            return output.output(out.output()).build();
        }
        List<ResponseFunctionCallOutputItem> parts = new ArrayList<>(out.images().size() + 1);
        if (!out.output().isEmpty()) {
            parts.add(ResponseFunctionCallOutputItem.ofInputText(ResponseInputTextContent.builder().text(out.output()).build()));
        }
        for (Image image : out.images()) {
            ResponseInputImageContent.Builder part = ResponseInputImageContent.builder().imageUrl(image.url());
            if (image.detail() != null) {
                part.detail(ResponseInputImageContent.Detail.of(image.detail().name().toLowerCase(Locale.ROOT)));
            }
            parts.add(ResponseFunctionCallOutputItem.ofInputImage(part.build()));
        }
        return output.outputOfResponseFunctionCallOutputItemList(parts).build();
    }

    /**
     * What a message said, as input: its text, and a refusal after it. Input messages have no
     * refusal part, so the model reads its earlier refusal as what it answered.
     */
    private static String said(Message m) {
        String refusal = m.refusal();
        if (refusal == null) {
            return m.text();
        }
        return m.text().isEmpty() ? refusal : m.text() + "\n\n" + refusal;
    }

    private static EasyInputMessage.Role role(Message.Role role) {
        return switch (role) {
            case USER -> EasyInputMessage.Role.USER;
            case ASSISTANT -> EasyInputMessage.Role.ASSISTANT;
            case SYSTEM -> EasyInputMessage.Role.SYSTEM;
            case DEVELOPER -> EasyInputMessage.Role.DEVELOPER;
        };
    }

    private static FunctionTool functionTool(ToolSpec tool) {
        FunctionTool.Builder function = FunctionTool.builder()
                .name(tool.name())
                .parameters(FunctionTool.Parameters.builder().additionalProperties(properties(tool.parameters())).build())
                .strict(tool.strict());
        if (!tool.description().isEmpty()) {
            function.description(tool.description());
        }
        return function.build();
    }

    private static void applySettings(ResponseCreateParams.Builder params, ModelSettings settings, boolean hasTools) {
        if (settings.temperature() != null) {
            params.temperature(settings.temperature());
        }
        if (settings.topP() != null) {
            params.topP(settings.topP());
        }
        if (settings.maxTokens() != null) {
            params.maxOutputTokens(settings.maxTokens().longValue());
        }
        ToolChoice choice = settings.toolChoice();
        if (choice != null) {
            switch (choice) {
                case ToolChoice.Auto a -> params.toolChoice(ToolChoiceOptions.AUTO);
                case ToolChoice.Required r -> params.toolChoice(ToolChoiceOptions.REQUIRED);
                case ToolChoice.None n -> params.toolChoice(ToolChoiceOptions.NONE);
                case ToolChoice.Named named -> params.toolChoice(ToolChoiceFunction.builder().name(named.name()).build());
            }
        }
        if (settings.parallelToolCalls() != null && hasTools) {
            params.parallelToolCalls(settings.parallelToolCalls());
        }
    }

    private static Map<String, JsonValue> properties(ObjectNode schema) {
        Map<String, JsonValue> map = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            map.put(field.getKey(), JsonValue.fromJsonNode(field.getValue()));
        }
        return map;
    }
}
