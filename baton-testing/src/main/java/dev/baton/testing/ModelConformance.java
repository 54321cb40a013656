package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.Usage;
import dev.baton.run.RunEvent;
import dev.baton.run.RunResult;
import dev.baton.run.RunStream;
import dev.baton.run.Runner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link Model} implementation must have, checked against a model that
 * follows the support-flow script ({@link ConformanceScript}): a provider module points its model
 * at a fixture server that emulates the script, a test model answers with the script directly.
 *
 * <pre>{@code
 * class ChatCompletionsModelConformanceTest extends ModelConformance {
 *     @Override
 *     protected Model createModel() {
 *         return new ChatCompletionsModel(fixtureServer.baseUrl(), "fixture-model");
 *     }
 * }
 * }</pre>
 *
 * <p>The suite checks what the runner relies on: calls come back as function calls with ids and
 * JSON-object arguments, the final answer as one assistant message, usage adds up, streaming
 * returns exactly what a plain call returns and its text deltas spell the message, and a whole
 * handoff run works blocking and streamed. Requests are those of {@link ConformanceRequests}. A
 * model that is {@link AutoCloseable} is closed after each test.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class ModelConformance {
    private Model model;

    /** The model to test, following {@link ConformanceScript#supportFlow}. Called before each test. */
    protected abstract Model createModel();

    /**
     * Whether the model answers with the script's exact words ({@link ConformanceScript#REFUND_REPLY}).
     * Scripted models and fixture servers do; a model that writes its own sentences (the offline
     * model) overrides this to return false, and its final answers are then only required to be one
     * non-empty assistant message that mentions {@link ConformanceScript#INVOICE_ID}.
     */
    protected boolean repliesWithScriptedText() {
        return true;
    }

    /** The runner of the end-to-end tests; override to configure one. */
    protected Runner createRunner() {
        return Runner.create();
    }

    @BeforeEach
    void createModelUnderTest() {
        model = createModel();
    }

    @AfterEach
    void closeModelUnderTest() {
        Closing.close(model);
    }

    /** The model under test, for tests a subclass adds. */
    protected final Model model() {
        return model;
    }

    @Test
    protected void a_request_offering_the_billing_handoff_gets_one_call_of_its_transfer_function() {
        ModelResponse response = model.respond(ConformanceRequests.triage());

        List<ToolCall> calls = calls(response);
        assertThat(calls).as("function calls in %s", response.output()).hasSize(1);
        ToolCall call = calls.get(0);
        assertThat(call.name()).isEqualTo(ConformanceScript.HANDOFF_TOOL);
        assertThat(call.callId()).as("call id").isNotBlank();
        assertThat(Json.parse(call.arguments())).as("arguments %s parsed as JSON", call.arguments())
                .hasValueSatisfying(arguments -> assertThat(arguments.isObject()).as("arguments are a JSON object").isTrue());
    }

    @Test
    protected void a_request_offering_the_invoice_tool_gets_a_call_with_the_invoice_id() {
        ModelResponse response = model.respond(ConformanceRequests.billing());

        List<ToolCall> calls = calls(response);
        assertThat(calls).as("function calls in %s", response.output()).hasSize(1);
        ToolCall call = calls.get(0);
        assertThat(call.name()).isEqualTo(ConformanceScript.INVOICE_TOOL);
        assertThat(call.callId()).as("call id").isNotBlank();
        JsonNode expected = Json.parseOrThrow(ConformanceScript.INVOICE_ARGUMENTS, "expected arguments");
        assertThat(Json.parse(call.arguments())).as("arguments %s parsed as JSON", call.arguments()).contains(expected);
    }

    @Test
    protected void after_the_invoice_output_the_answer_is_one_assistant_message() {
        assertTheRefundAnswer(model.respond(ConformanceRequests.afterInvoice()));
    }

    /** The answer after the invoice's output: one assistant message, the script's words or one naming the invoice. */
    private void assertTheRefundAnswer(ModelResponse response) {
        assertThat(calls(response)).as("function calls in %s", response.output()).isEmpty();
        List<Message> messages = messages(response);
        assertThat(messages).as("messages in %s", response.output()).hasSize(1);
        assertThat(messages.get(0).role()).isEqualTo(Message.Role.ASSISTANT);
        if (repliesWithScriptedText()) {
            assertThat(messages.get(0).text()).isEqualTo(ConformanceScript.REFUND_REPLY);
        } else {
            assertThat(messages.get(0).text()).isNotBlank().contains(ConformanceScript.INVOICE_ID);
        }
    }

    @Test
    protected void a_tool_output_with_an_image_is_accepted_and_answered_like_its_text_alone() {
        assertTheRefundAnswer(model.respond(ConformanceRequests.afterInvoiceWithScan()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.baton.testing.ModelConformance#scriptRequests")
    protected void usage_is_never_negative_and_the_total_covers_input_and_output(ModelRequest request) {
        Usage usage = model.respond(request).usage();

        assertThat(usage.requests()).as("requests").isNotNegative();
        assertThat(usage.inputTokens()).as("input tokens").isNotNegative();
        assertThat(usage.outputTokens()).as("output tokens").isNotNegative();
        assertThat(usage.totalTokens()).as("total tokens").isNotNegative();
        assertThat(usage.cachedInputTokens()).as("cached input tokens").isNotNegative();
        assertThat(usage.reasoningTokens()).as("reasoning tokens").isNotNegative();
        if (usage.totalTokens() > 0) {
            assertThat(usage.totalTokens()).as("total tokens of %s", usage)
                    .isGreaterThanOrEqualTo(usage.inputTokens() + usage.outputTokens());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.baton.testing.ModelConformance#scriptRequests")
    protected void streaming_returns_the_same_items_as_responding(ModelRequest request) {
        ModelResponse responded = model.respond(request);
        List<ModelStreamEvent> events = Collections.synchronizedList(new ArrayList<>());

        ModelResponse streamed = model.stream(request, events::add);

        assertThat(ItemShape.of(streamed.output())).isEqualTo(ItemShape.of(responded.output()));
        String deltas;
        synchronized (events) {
            deltas = events.stream()
                    .filter(e -> e instanceof ModelStreamEvent.TextDelta)
                    .map(e -> ((ModelStreamEvent.TextDelta) e).text())
                    .collect(Collectors.joining());
        }
        String text = messages(streamed).stream().map(Message::text).collect(Collectors.joining());
        assertThat(deltas).as("text deltas, concatenated").isEqualTo(text);
    }

    @Test
    protected void a_request_with_instructions_and_no_tools_gets_an_answer() {
        ModelResponse response = model.respond(ConformanceRequests.withoutTools());

        assertThat(response.output()).isNotEmpty();
    }

    @Test
    protected void a_request_without_instructions_gets_an_answer() {
        ModelRequest plain = ConformanceRequests.withoutTools();
        ModelRequest request = new ModelRequest(plain.agent(), null, plain.input(), List.of(), List.of(), null, plain.settings());

        assertThat(model.respond(request).output()).isNotEmpty();
    }

    @Test
    protected void a_request_with_tools_handoffs_and_settings_gets_the_handoff_call() {
        ModelResponse response = model.respond(ConformanceRequests.triageWithEverything());

        assertThat(calls(response)).extracting(ToolCall::name).containsExactly(ConformanceScript.HANDOFF_TOOL);
    }

    @Test
    @Timeout(60)
    protected void a_run_hands_off_to_billing_which_looks_up_the_invoice_and_answers() {
        RunResult result = createRunner().run(SupportDesk.triage(model), ConformanceRequests.CUSTOMER_MESSAGE);

        BatonAssertions.assertThat(result)
                .handedOffTo(ConformanceScript.BILLING)
                .usedTool(ConformanceScript.INVOICE_TOOL, new SupportDesk.InvoiceQuery(ConformanceScript.INVOICE_ID))
                .noErrors()
                .lastAgent(ConformanceScript.BILLING)
                .finalOutputContains(expectedReplyFragment());
    }

    @Test
    @Timeout(60)
    protected void a_streamed_run_produces_the_same_items_as_a_blocking_run() {
        Runner runner = createRunner();
        RunResult blocking = runner.run(SupportDesk.triage(model), ConformanceRequests.CUSTOMER_MESSAGE);

        List<RunItem> itemEvents = new ArrayList<>();
        StringBuilder deltas = new StringBuilder();
        RunResult streamed;
        try (RunStream events = runner.stream(SupportDesk.triage(model), ConformanceRequests.CUSTOMER_MESSAGE)) {
            for (RunEvent event : events) {
                if (event instanceof RunEvent.ItemEvent e) {
                    itemEvents.add(e.item());
                } else if (event instanceof RunEvent.TextDelta d) {
                    deltas.append(d.delta());
                }
            }
            streamed = events.result();
        }

        assertThat(ItemShape.ofRun(streamed.newItems())).as("items of the streamed run")
                .isEqualTo(ItemShape.ofRun(blocking.newItems()));
        assertThat(ItemShape.ofRun(itemEvents)).as("items of the stream's item events")
                .isEqualTo(ItemShape.ofRun(streamed.newItems()));
        assertThat(streamed.lastAgent()).isEqualTo(ConformanceScript.BILLING);
        assertThat(streamed.finalOutputText()).contains(expectedReplyFragment());
        assertThat(deltas.toString()).as("text deltas of the streamed run").isEqualTo(messageText(streamed.newItems()));
    }

    private String expectedReplyFragment() {
        return repliesWithScriptedText() ? "Refund initiated" : ConformanceScript.INVOICE_ID;
    }

    /** The requests of the script's three steps. */
    static Stream<Named<ModelRequest>> scriptRequests() {
        return Stream.of(
                Named.of("triage offering the handoff", ConformanceRequests.triage()),
                Named.of("billing offering the invoice tool", ConformanceRequests.billing()),
                Named.of("billing after the invoice output", ConformanceRequests.afterInvoice()));
    }

    private static List<ToolCall> calls(ModelResponse response) {
        return ofType(response.output(), ToolCall.class);
    }

    private static List<Message> messages(ModelResponse response) {
        return ofType(response.output(), Message.class);
    }

    private static <T extends Item> List<T> ofType(List<Item> items, Class<T> type) {
        return items.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static String messageText(List<RunItem> items) {
        return items.stream()
                .filter(i -> i instanceof RunItem.MessageItem)
                .map(i -> ((RunItem.MessageItem) i).text())
                .collect(Collectors.joining());
    }
}
