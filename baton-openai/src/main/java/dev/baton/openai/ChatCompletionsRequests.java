package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionDeveloperMessageParam;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionSystemMessageParam;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.ChatCompletionUserMessageParam;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Maps a Baton {@link ModelRequest} to the SDK's Chat Completions parameters. */
final class ChatCompletionsRequests {
    /** The name of the JSON schema sent as {@code response_format} for structured output. */
    static final String OUTPUT_SCHEMA_NAME = "final_output";

    private ChatCompletionsRequests() {}

    static ChatCompletionCreateParams toParams(String model, ModelRequest request, boolean stream) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model(model);
        if (request.instructions() != null) {
            params.addMessage(ChatCompletionSystemMessageParam.builder().content(request.instructions()).build());
        }
        addMessages(params, request.input());
        for (ToolSpec tool : request.tools()) {
            params.addTool(functionTool(tool));
        }
        for (HandoffSpec handoff : request.handoffs()) {
            params.addTool(functionTool(handoff.tool()));
        }
        if (request.outputSchema() != null) {
            params.responseFormat(ResponseFormatJsonSchema.builder()
                    .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                            .name(OUTPUT_SCHEMA_NAME)
                            .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                    .additionalProperties(properties(request.outputSchema()))
                                    .build())
                            .strict(true)
                            .build())
                    .build());
        }
        applySettings(params, request.settings(), !request.tools().isEmpty() || !request.handoffs().isEmpty());
        if (stream) {
            params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }
        return params.build();
    }

    /** The answer the model reads for a call that has no output in the conversation. */
    static final String UNANSWERED = "No output: this call was not answered.";

    /**
     * The conversation with every tool call answered by exactly one tool message right after its
     * assistant message, as Chat Completions servers require: a call without an output gets a
     * placeholder answer, and an output answering no open call (an orphan, or a second answer) is
     * left out.
     */
    static List<Item> answered(List<Item> input) {
        List<Item> out = new ArrayList<>(input.size());
        java.util.Set<String> open = new java.util.LinkedHashSet<>();
        boolean answering = false;
        for (Item item : input) {
            if (item instanceof ToolCall call) {
                if (answering) {
                    close(open, out);
                    answering = false;
                }
                open.add(call.callId());
                out.add(call);
            } else if (item instanceof ToolOutput output) {
                if (open.remove(output.callId())) {
                    out.add(output);
                    answering = true;
                }
            } else {
                close(open, out);
                answering = false;
                out.add(item);
            }
        }
        close(open, out);
        return out;
    }

    private static void close(java.util.Set<String> open, List<Item> out) {
        for (String callId : open) {
            out.add(new ToolOutput(callId, UNANSWERED));
        }
        open.clear();
    }

    private static void addMessages(ChatCompletionCreateParams.Builder params, List<Item> conversation) {
        List<Item> input = answered(conversation);
        // An assistant turn: optional text followed by the calls it made, sent as ONE message.
        String pendingText = null;
        String pendingRefusal = null;
        List<ChatCompletionMessageFunctionToolCall> pendingCalls = new ArrayList<>();
        boolean pending = false;
        List<ToolOutput> imagesToShow = new ArrayList<>();
        for (Item item : input) {
            if (!(item instanceof ToolOutput) && !imagesToShow.isEmpty()) {
                params.addMessage(toolImages(imagesToShow));
                imagesToShow.clear();
            }
            if (item instanceof ToolCall call) {
                pendingCalls.add(ChatCompletionMessageFunctionToolCall.builder()
                        .id(call.callId())
                        .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                                .name(call.name())
                                .arguments(call.arguments().isBlank() ? "{}" : call.arguments())
                                .build())
                        .build());
                pending = true;
                continue;
            }
            if (pending) {
                params.addMessage(assistant(pendingText, pendingRefusal, pendingCalls));
                pendingText = null;
                pendingRefusal = null;
                pendingCalls = new ArrayList<>();
                pending = false;
            }
            switch (item) {
                case Message m when m.role() == Message.Role.ASSISTANT -> {
                    pendingText = m.text();
                    pendingRefusal = m.refusal();
                    pending = true;
                }
                case Message m when m.role() == Message.Role.USER ->
                        params.addMessage(ChatCompletionUserMessageParam.builder().content(m.text()).build());
                case Message m when m.role() == Message.Role.SYSTEM ->
                        params.addMessage(ChatCompletionSystemMessageParam.builder().content(m.text()).build());
                case Message m ->
                        params.addMessage(ChatCompletionDeveloperMessageParam.builder().content(m.text()).build());
                case ToolOutput out -> {
                    params.addMessage(ChatCompletionToolMessageParam.builder()
                            .toolCallId(out.callId())
                            .content(out.images().isEmpty() ? out.output() : out.output() + (out.output().isEmpty() ? "" : "\n")
                                    + "[" + out.images().size() + (out.images().size() == 1 ? " image follows" : " images follow")
                                    + " in the next message]")
                            .build());
                    if (!out.images().isEmpty()) {
                        imagesToShow.add(out);
                    }
                }
                case Reasoning ignored -> {
                    // Chat Completions takes no reasoning items as input.
                }
                case ToolCall ignored -> throw new IllegalStateException("handled above");
            }
        }
        if (!imagesToShow.isEmpty()) {
            params.addMessage(toolImages(imagesToShow));
        }
        if (pending) {
            params.addMessage(assistant(pendingText, pendingRefusal, pendingCalls));
        }
    }

    /**
     * The images of tool outputs, as one user message after the tool messages: Chat Completions reads
     * only text in a tool message, and nothing may come between an assistant's calls and their answers.
     */
    private static ChatCompletionUserMessageParam toolImages(List<ToolOutput> outputs) {
        List<ChatCompletionContentPart> parts = new ArrayList<>();
        for (ToolOutput out : outputs) {
            parts.add(ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                    .text("The image" + (out.images().size() == 1 ? "" : "s") + " returned by tool call " + out.callId() + ":")
                    .build()));
            for (Image image : out.images()) {
                ChatCompletionContentPartImage.ImageUrl.Builder url = ChatCompletionContentPartImage.ImageUrl.builder().url(image.url());
                if (image.detail() != null) {
                    url.detail(ChatCompletionContentPartImage.ImageUrl.Detail.of(image.detail().name().toLowerCase(Locale.ROOT)));
                }
                parts.add(ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(url.build()).build()));
            }
        }
        return ChatCompletionUserMessageParam.builder().contentOfArrayOfContentParts(parts).build();
    }

    /** One assistant message; a refusal goes back in its own {@code refusal} field, as the model wrote it. */
    private static ChatCompletionAssistantMessageParam assistant(
            @Nullable String text, @Nullable String refusal, List<ChatCompletionMessageFunctionToolCall> calls) {
        ChatCompletionAssistantMessageParam.Builder message = ChatCompletionAssistantMessageParam.builder();
        if (refusal != null) {
            message.refusal(refusal);
        }
        if (text != null && (!text.isEmpty() || (calls.isEmpty() && refusal == null))) {
            message.content(text);
        } else {
            // Tool calls or a refusal without text: content is null, as OpenAI writes it.
            message.putAdditionalProperty("content", JsonValue.from(null));
        }
        for (ChatCompletionMessageFunctionToolCall call : calls) {
            message.addToolCall(call);
        }
        return message.build();
    }

    private static ChatCompletionFunctionTool functionTool(ToolSpec tool) {
        FunctionDefinition.Builder function = FunctionDefinition.builder()
                .name(tool.name())
                .parameters(FunctionParameters.builder().additionalProperties(properties(tool.parameters())).build())
                .strict(tool.strict());
        if (!tool.description().isEmpty()) {
            function.description(tool.description());
        }
        return ChatCompletionFunctionTool.builder().function(function.build()).build();
    }

    private static void applySettings(ChatCompletionCreateParams.Builder params, ModelSettings settings, boolean hasTools) {
        if (settings.temperature() != null) {
            params.temperature(settings.temperature());
        }
        if (settings.topP() != null) {
            params.topP(settings.topP());
        }
        if (settings.maxTokens() != null) {
            params.maxCompletionTokens(settings.maxTokens().longValue());
        }
        ToolChoice choice = settings.toolChoice();
        if (choice != null) {
            switch (choice) {
                case ToolChoice.Auto a -> params.toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO);
                case ToolChoice.Required r -> params.toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED);
                case ToolChoice.None n -> params.toolChoice(ChatCompletionToolChoiceOption.Auto.NONE);
                case ToolChoice.Named named -> params.toolChoice(ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder().name(named.name()).build())
                        .build());
            }
        }
        if (settings.parallelToolCalls() != null && hasTools) {
            params.parallelToolCalls(settings.parallelToolCalls());
        }
    }

    private static Map<String, JsonValue> properties(ObjectNode schema) {
        Map<String, JsonValue> map = new java.util.LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            map.put(field.getKey(), JsonValue.fromJsonNode(field.getValue()));
        }
        return map;
    }
}
