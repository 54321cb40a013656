package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelBehaviorError;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.agent.ToolUseBehavior;
import dev.baton.handoff.Handoff;
import dev.baton.item.RunItem;
import dev.baton.item.ToolOutput;
import dev.baton.model.ToolChoice;
import dev.baton.schema.Description;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolErrorFormatter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tools in a run")
class ToolRunTest {

    record GetInvoice(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    record Invoice(String id, int amount, String status) {}

    static final Tool<Void> GET_INVOICE = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
            (ctx, args) -> new Invoice(args.invoiceId(), 99, "paid"));

    static RunResult run(Agent<Void> agent, Script model) {
        return Runner.create().run(agent, "go", RunOptions.<Void>none().withModel(model));
    }

    static List<String> outputs(RunResult result) {
        return result.newItems().stream()
                .filter(i -> i instanceof RunItem.ToolOutputItem)
                .map(i -> ((RunItem.ToolOutputItem) i).output().output())
                .toList();
    }

    @Test
    void a_typed_tool_gets_bound_arguments_and_its_result_is_sent_back_as_json() {
        Agent<Void> agent = Agent.<Void>builder("billing").tools(GET_INVOICE).build();
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"INV-8821\"}"), reply("Paid."));

        RunResult result = run(agent, model);

        assertThat(outputs(result)).containsExactly("{\"id\":\"INV-8821\",\"amount\":99,\"status\":\"paid\"}");
        assertThat(model.requests.get(0).tools()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("get_invoice");
            assertThat(t.parameters().get("properties").get("invoice_id").get("description").asText()).contains("INV-8821");
        });
        assertThat(result.finalOutput()).isEqualTo("Paid.");
    }

    @Test
    void schemas_are_built_once_and_the_same_specs_are_sent_on_every_turn() {
        Agent<Void> billing = Agent.<Void>builder("billing").tools(GET_INVOICE).build();
        Agent<Void> agent = Agent.<Void>builder("a").tools(GET_INVOICE).handoffs(billing).build();
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"A\"}"), call("get_invoice", "{\"invoice_id\":\"B\"}"), reply("ok"));

        run(agent, model);

        assertThat(model.requests.get(1).tools().get(0)).isSameAs(model.requests.get(0).tools().get(0));
        assertThat(model.requests.get(2).handoffs().get(0)).isSameAs(model.requests.get(0).handoffs().get(0));
    }

    @Test
    void the_tool_sees_the_run_context_and_its_call_id() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Tool<String> whoAmI = Tool.of("who", "", NoArgs.class, (ctx, args) -> {
            seen.add(ctx.context() + "/" + ctx.callId() + "/" + ctx.agent());
            return "ok";
        });
        Agent<String> agent = Agent.<String>builder("a").tools(whoAmI).build();
        var call = toolCall("who", "{}");

        Runner.create().run(agent, "x", RunOptions.context("customer-1").withModel(new Script(items(call), reply("done"))));

        assertThat(seen).containsExactly("customer-1/" + call.callId() + "/a");
    }

    record NoArgs() {}

    @Test
    void a_tool_that_throws_becomes_an_error_output_and_the_run_goes_on() {
        Tool<Void> broken = Tool.of("refund", "", NoArgs.class, (ctx, args) -> {
            throw new IllegalStateException("payment gateway unavailable");
        });
        Script model = new Script(call("refund", "{}"), reply("Sorry, refunds are down."));

        RunResult result = run(Agent.<Void>builder("a").tools(broken).build(), model);

        assertThat(outputs(result)).singleElement().asString().contains("refund").contains("payment gateway unavailable");
        assertThat(result.newItems()).filteredOn(i -> i instanceof RunItem.ToolOutputItem o && o.error()).hasSize(1);
        assertThat(result.finalOutput()).isEqualTo("Sorry, refunds are down.");
    }

    @Test
    void malformed_json_and_schema_violations_become_error_outputs_the_model_can_correct() {
        Script model = new Script(
                call("get_invoice", "{\"invoice_id\": "),
                call("get_invoice", "{\"invoice\":\"INV-1\"}"),
                call("get_invoice", "{\"invoice_id\":\"INV-1\"}"),
                reply("done"));

        RunResult result = run(Agent.<Void>builder("a").tools(GET_INVOICE).build(), model);

        List<String> outputs = outputs(result);
        assertThat(outputs.get(0)).contains("invalid arguments").contains("JSON");
        assertThat(outputs.get(1)).contains("invalid arguments").contains("invoice");
        assertThat(outputs.get(2)).contains("INV-1");
    }

    @Test
    void the_error_wording_is_configurable_per_runner_and_per_tool() {
        Tool<Void> boom = Tool.of("boom", "", NoArgs.class, (ctx, args) -> {
            throw new RuntimeException("x");
        });
        Tool<Void> bang = boom.toBuilder().name("bang").errorFormatter(e -> "BANG " + e.kind()).build();
        Agent<Void> agent = Agent.<Void>builder("a").tools(boom, bang).build();
        Script model = new Script(items(toolCall("boom", "{}"), toolCall("bang", "{}")), reply("ok"));
        Runner runner = Runner.create(RunConfig.builder().toolErrorFormatter(e -> "RUNNER " + e.toolName()).build());

        RunResult result = runner.run(agent, "go", RunOptions.<Void>none().withModel(model));

        assertThat(outputs(result)).containsExactly("RUNNER boom", "BANG FAILED");
    }

    @Test
    void a_tool_past_its_timeout_is_interrupted_and_reported() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        Tool<Void> slow = Tool.<Void, NoArgs>of("slow", "", NoArgs.class, (ctx, args) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return "late";
        }).withTimeout(Duration.ofMillis(100));

        RunResult result = run(Agent.<Void>builder("a").tools(slow).build(), new Script(call("slow", "{}"), reply("ok")));

        assertThat(outputs(result)).singleElement().asString().contains("timed out").contains("100 ms");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void the_calls_of_one_turn_run_concurrently_and_outputs_keep_call_order() {
        CountDownLatch allStarted = new CountDownLatch(3);
        Tool<Void> wait = Tool.of("wait", "", Wait.class, (ctx, args) -> {
            allStarted.countDown();
            // Only returns if all three calls are running at the same time.
            if (!allStarted.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("calls did not run concurrently");
            }
            Thread.sleep(args.ms());
            return "done " + args.ms();
        });
        Script model = new Script(items(toolCall("wait", "{\"ms\":120}"), toolCall("wait", "{\"ms\":1}"), toolCall("wait", "{\"ms\":60}")),
                reply("ok"));

        RunResult result = run(Agent.<Void>builder("a").tools(wait).build(), model);

        assertThat(outputs(result)).containsExactly("done 120", "done 1", "done 60");
    }

    record Wait(int ms) {}

    @Test
    void concurrency_is_bounded_by_the_runner_setting() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Tool<Void> work = Tool.of("work", "", NoArgs.class, (ctx, args) -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(20);
            running.decrementAndGet();
            return "ok";
        });
        Script model = new Script(items(toolCall("work", "{}"), toolCall("work", "{}"), toolCall("work", "{}"),
                toolCall("work", "{}"), toolCall("work", "{}")), reply("ok"));
        Runner runner = Runner.create(RunConfig.builder().maxConcurrentTools(2).build());

        runner.run(Agent.<Void>builder("a").tools(work).build(), "go", RunOptions.<Void>none().withModel(model));

        assertThat(peak.get()).isEqualTo(2);
    }

    @Test
    void an_unknown_tool_gets_an_error_output_by_default() {
        RunResult result = run(Agent.<Void>builder("a").tools(GET_INVOICE).build(), new Script(call("delete_account", "{}"), reply("ok")));

        assertThat(outputs(result)).singleElement().asString().contains("delete_account").contains("get_invoice");
    }

    @Test
    void an_unknown_tool_fails_the_run_when_so_configured() {
        Runner runner = Runner.create(RunConfig.builder().unknownTools(RunConfig.UnknownToolPolicy.FAIL).build());
        Agent<Void> agent = Agent.<Void>builder("a").tools(GET_INVOICE).build();

        assertThatThrownBy(() -> runner.run(agent, "go", RunOptions.<Void>none().withModel(new Script(call("delete_account", "{}")))))
                .isInstanceOf(ModelBehaviorError.class)
                .hasMessageContaining("delete_account");
    }

    @Test
    void a_disabled_tool_is_not_offered() {
        AtomicInteger turn = new AtomicInteger();
        Tool<Void> sometimes = GET_INVOICE.withEnabledWhen((ctx, agent) -> turn.incrementAndGet() > 1);
        Tool<Void> never = Tool.<Void, NoArgs>of("never", "", NoArgs.class, (c, a) -> "x").withEnabled(false);
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"A\"}"), reply("ok"));

        run(Agent.<Void>builder("a").tools(sometimes, never).build(), model);

        assertThat(model.requests.get(0).tools()).isEmpty();
        assertThat(model.requests.get(1).tools()).extracting(t -> t.name()).containsExactly("get_invoice");
    }

    @Test
    void stop_on_first_tool_makes_its_output_the_final_output() {
        Agent<Void> agent = Agent.<Void>builder("a").tools(GET_INVOICE).toolUseBehavior(ToolUseBehavior.stopOnFirstTool()).build();

        RunResult result = run(agent, new Script(call("get_invoice", "{\"invoice_id\":\"A\"}")));

        assertThat(result.finalOutput()).isEqualTo("{\"id\":\"A\",\"amount\":99,\"status\":\"paid\"}");
        assertThat(result.turns()).isEqualTo(1);
    }

    @Test
    void stop_at_named_tools_only_stops_at_those() {
        Tool<Void> note = Tool.of("note", "", NoArgs.class, (c, a) -> "noted");
        Agent<Void> agent = Agent.<Void>builder("a").tools(GET_INVOICE, note)
                .toolUseBehavior(ToolUseBehavior.stopAtTools("get_invoice")).build();

        RunResult result = run(agent, new Script(call("note", "{}"), call("get_invoice", "{\"invoice_id\":\"B\"}")));

        assertThat(result.finalOutputText()).contains("\"B\"");
        assertThat(result.turns()).isEqualTo(2);
    }

    @Test
    void a_custom_behaviour_decides_from_the_results() {
        Agent<Void> agent = Agent.<Void>builder("a").tools(GET_INVOICE)
                .toolUseBehavior(ToolUseBehavior.custom((ctx, results) -> results.get(0).output().contains("paid")
                        ? java.util.Optional.of("Invoice is settled") : java.util.Optional.empty()))
                .build();

        assertThat(run(agent, new Script(call("get_invoice", "{\"invoice_id\":\"A\"}"))).finalOutput()).isEqualTo("Invoice is settled");
    }

    @Test
    void a_forced_tool_choice_is_reset_after_the_tool_ran_so_the_agent_cannot_loop() {
        Agent<Void> agent = Agent.<Void>builder("a").tools(GET_INVOICE).toolChoice(ToolChoice.named("get_invoice")).build();
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"A\"}"), reply("ok"));

        run(agent, model);

        assertThat(model.requests.get(0).settings().toolChoice()).isEqualTo(ToolChoice.named("get_invoice"));
        assertThat(model.requests.get(1).settings().toolChoice()).isNull();
    }

    @Test
    void the_forced_choice_stays_when_reset_is_turned_off() {
        Agent<Void> agent = Agent.<Void>builder("a").tools(GET_INVOICE).toolChoice(ToolChoice.required()).resetToolChoice(false).build();
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"A\"}"), reply("ok"));

        run(agent, model);

        assertThat(model.requests.get(1).settings().toolChoice()).isEqualTo(ToolChoice.required());
    }

    @Test
    void a_tool_and_a_handoff_with_the_same_name_are_rejected_when_the_agent_is_built() {
        Agent<Void> other = Agent.<Void>builder("billing").build();
        Tool<Void> clash = Tool.of("transfer_to_billing", "", NoArgs.class, (c, a) -> "x");

        assertThatThrownBy(() -> Agent.<Void>builder("a").tools(clash).handoffs(Handoff.to(other)).build())
                .isInstanceOf(UserError.class)
                .hasMessageContaining("transfer_to_billing");
    }

    @Test
    void forcing_a_tool_the_agent_lacks_is_rejected_when_the_agent_is_built() {
        assertThatThrownBy(() -> Agent.<Void>builder("a").tools(GET_INVOICE).toolChoice(ToolChoice.named("refund")).build())
                .isInstanceOf(UserError.class)
                .hasMessageContaining("refund");
    }

    @Test
    void an_agent_used_as_a_tool_runs_separately_and_the_caller_keeps_control() {
        Script model = new Script(
                call("translate", "{\"input\":\"hola\"}"),
                r -> Script.response(dev.baton.item.Message.assistant("hello")),
                reply("The customer said hello."));
        Agent<Void> translator = Agent.<Void>builder("translator").instructions("Translate to English").build();
        Agent<Void> agent = Agent.<Void>builder("support").tools(translator.asTool("translate", "Translate text")).build();

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).build()).run(agent, "hola");

        assertThat(model.requests.get(1).agent()).isEqualTo("translator");
        assertThat(model.requests.get(1).input()).containsExactly(dev.baton.item.Message.user("hola"));
        assertThat(outputs(result)).containsExactly("hello");
        assertThat(result.lastAgent()).isEqualTo("support");
        assertThat(result.usage().requests()).isEqualTo(3);
        assertThat(result.usageByAgent()).containsKeys("support", "translator");
        assertThat(model.requests.get(2).input()).contains(new ToolOutput(
                ((RunItem.ToolCallItem) result.newItems().get(0)).call().callId(), "hello"));
    }
}
