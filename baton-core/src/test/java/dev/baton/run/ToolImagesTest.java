package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.guardrail.ToolGuardrail;
import dev.baton.item.Image;
import dev.baton.item.Item;
import dev.baton.item.ToolOutput;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolAnswer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Images a tool returns, for the model to look at")
class ToolImagesTest {

    record ReceiptRef(String id) {}

    static final Image RECEIPT = Image.ofBytes("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});

    static Tool<Void> receipt() {
        return Tool.<Void, ReceiptRef>of("get_receipt", "Show a scanned receipt.", ReceiptRef.class,
                (ctx, a) -> ToolAnswer.of("Receipt " + a.id() + ":", RECEIPT));
    }

    static ToolOutput lastOutput(dev.baton.model.ModelRequest request) {
        Item last = request.lastInput();
        assertThat(last).isInstanceOf(ToolOutput.class);
        return (ToolOutput) last;
    }

    @Test
    void a_tool_that_returns_text_and_an_image_gives_the_model_both() {
        Script model = new Script(call("get_receipt", "{\"id\":\"R-7\"}"), reply("It shows $99."));

        RunResult result = Runner.create().run(Agent.<Void>builder("billing").tools(receipt()).build(), "show R-7",
                RunOptions.<Void>none().withModel(model));

        ToolOutput read = lastOutput(model.requests.get(1));
        assertThat(read.output()).isEqualTo("Receipt R-7:");
        assertThat(read.images()).containsExactly(RECEIPT);
        assertThat(result.newItems()).anySatisfy(i -> assertThat(i.toItem()).isEqualTo(read));
    }

    @Test
    void a_tool_may_return_a_lone_image() {
        Tool<Void> screenshot = Tool.<Void, ReceiptRef>of("screenshot", "A screenshot.", ReceiptRef.class,
                (ctx, a) -> Image.ofUrl("https://status.example.com/" + a.id() + ".png").withDetail(Image.Detail.LOW));
        Script model = new Script(call("screenshot", "{\"id\":\"eu-west\"}"), reply("ok"));

        Runner.create().run(Agent.<Void>builder("a").tools(screenshot).build(), "x", RunOptions.<Void>none().withModel(model));

        ToolOutput read = lastOutput(model.requests.get(1));
        assertThat(read.output()).isEmpty();
        assertThat(read.images()).containsExactly(new Image("https://status.example.com/eu-west.png", Image.Detail.LOW));
    }

    @Test
    void an_output_guardrail_that_replaces_the_text_replaces_the_images_too() {
        Tool<Void> masked = receipt().withGuardrails(ToolGuardrail.output("no receipts", (ctx, args, out) ->
                ToolGuardrail.Decision.replace("Receipts are not shown here.")));
        Tool<Void> checked = receipt().toBuilder().name("checked_receipt").build()
                .withGuardrails(ToolGuardrail.output("allow", (ctx, args, out) -> ToolGuardrail.Decision.allow()));
        Script model = new Script(items(toolCall("get_receipt", "{\"id\":\"R-1\"}"), toolCall("checked_receipt", "{\"id\":\"R-2\"}")),
                reply("ok"));

        Runner.create().run(Agent.<Void>builder("a").tools(masked, checked).build(), "x", RunOptions.<Void>none().withModel(model));

        List<ToolOutput> read = model.requests.get(1).input().stream().filter(ToolOutput.class::isInstance).map(ToolOutput.class::cast).toList();
        assertThat(read.get(0).output()).isEqualTo("Receipts are not shown here.");
        assertThat(read.get(0).images()).isEmpty();
        assertThat(read.get(1).images()).as("a guardrail that allows keeps them").containsExactly(RECEIPT);
    }

    @Test
    void images_are_kept_in_the_session_and_in_a_paused_runs_state() {
        Tool<Void> refund = Tool.<Void, ReceiptRef>of("refund", "Refund a receipt.", ReceiptRef.class, (ctx, a) -> "refunded " + a.id())
                .requiringApproval();
        InMemorySessionStore sessions = new InMemorySessionStore();
        Script model = new Script(items(toolCall("get_receipt", "{\"id\":\"R-3\"}"), toolCall("refund", "{\"id\":\"R-3\"}")),
                reply("Refunded."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        Agent<Void> agent = Agent.<Void>builder("billing").tools(receipt(), refund).build();

        RunResult paused = runner.run(agent, "refund R-3", RunOptions.<Void>session("s1"));
        RunState state = RunState.fromJson(paused.toState().toJson());
        RunResult done = runner.resume(agent, state.approve(paused.interruptions().getFirst().callId()), RunOptions.<Void>session("s1"));

        assertThat(done.finalOutput()).isEqualTo("Refunded.");
        ToolOutput shown = model.requests.get(1).input().stream().filter(ToolOutput.class::isInstance).map(ToolOutput.class::cast)
                .filter(o -> o.output().startsWith("Receipt")).findFirst().orElseThrow();
        assertThat(shown.images()).as("the call that ran before the pause, read back from the state's JSON").containsExactly(RECEIPT);
        assertThat(sessions.items("s1", 0)).contains(shown);
    }

    @Test
    void an_image_needs_a_data_url_of_an_image_or_a_web_url() {
        assertThatThrownBy(() -> Image.ofUrl("file:///etc/passwd")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("data:image/");
        assertThatThrownBy(() -> Image.ofBase64("text/plain", "aGk=")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text/plain");
        assertThat(RECEIPT.mediaType()).isEqualTo("image/png");
        assertThat(new ToolOutput("c1", "Receipt:", List.of(RECEIPT)).describe()).isEqualTo("Receipt:\n[image/png image, 8 bytes]");
    }
}
