package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Interceptors around model and tool calls")
class InterceptorTest {
    record Lookup(String email) {}

    final List<String> toolSaw = new CopyOnWriteArrayList<>();
    final Tool<Void> lookup = Tool.of("lookup_customer", "", Lookup.class, (ctx, a) -> {
        toolSaw.add(ctx.arguments());
        return "{\"customer\":\"C-1\"}";
    });
    final Agent<Void> desk = Agent.<Void>builder("desk").tools(lookup).build();

    @Test
    void a_caching_model_interceptor_answers_without_calling_the_model_and_fires_no_model_hooks() {
        Map<String, ModelResponse> cache = new ConcurrentHashMap<>();
        ModelInterceptor caching = (call, next) -> cache.computeIfAbsent(((Message) call.request().lastInput()).text(),
                k -> next.proceed(call));
        Script model = new Script(reply("Opening hours are 9 to 5."));
        EngineTest.CountingHooks hooks = new EngineTest.CountingHooks();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).modelInterceptor(caching).hooks(hooks).build());
        Agent<Void> faq = Agent.<Void>builder("faq").build();

        RunResult first = runner.run(faq, "When are you open?");
        RunResult second = runner.run(faq, "When are you open?");

        assertThat(first.finalOutput()).isEqualTo("Opening hours are 9 to 5.");
        assertThat(second.finalOutput()).isEqualTo("Opening hours are 9 to 5.");
        assertThat(model.calls()).as("the second answer came from the cache").isEqualTo(1);
        assertThat(hooks.count("modelStart")).as("hooks see the calls that reach the model").isEqualTo(1);
        assertThat(hooks.count("modelEnd")).isEqualTo(1);
    }

    @Test
    void a_model_interceptor_can_change_the_request_the_model_gets() {
        Script model = new Script(reply("ok"));
        ModelInterceptor redact = (call, next) -> {
            ModelRequest r = call.request();
            String masked = ((Message) r.lastInput()).text().replaceAll("\\d{4}-\\d{4}", "****-****");
            return next.proceed(call.withRequest(new ModelRequest(r.agent(), r.instructions(), List.of(Message.user(masked)),
                    r.tools(), r.handoffs(), r.outputSchema(), r.settings())));
        };

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).build())
                .run(Agent.<Void>builder("faq").build(), "my card is 4111-1111", RunOptions.<Void>none().withModelInterceptor(redact));

        assertThat(result.finalOutput()).isEqualTo("ok");
        assertThat(((Message) model.requests.get(0).lastInput()).text()).isEqualTo("my card is ****-****");
        assertThat(result.input()).as("the run's own record keeps what the user wrote")
                .containsExactly(Message.user("my card is 4111-1111"));
    }

    @Test
    void a_redacting_tool_interceptor_changes_the_arguments_the_tool_sees_but_not_the_models_call() {
        ToolInterceptor redact = (call, next) -> next.proceed(call.withArguments(call.arguments().replaceAll("\"[^\"]+@[^\"]+\"",
                "\"<email>\"")));
        EngineTest.CountingHooks hooks = new EngineTest.CountingHooks();
        List<String> hookSaw = new CopyOnWriteArrayList<>();
        dev.baton.hook.RunHooks<Void> argumentHooks = new dev.baton.hook.RunHooks<>() {
            @Override
            public void onToolStart(RunContext<Void> c, Agent<Void> a, Tool<Void> t, String id, String args) {
                hookSaw.add(args);
            }
        };
        Script model = new Script(call("lookup_customer", "{\"email\":\"ann@example.com\"}"), reply("Found you."));

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).toolInterceptor(redact).hooks(argumentHooks).build())
                .run(desk, "I am ann@example.com", RunOptions.<Void>none().withHooks(hooks));

        assertThat(toolSaw).containsExactly("{\"email\":\"<email>\"}");
        assertThat(hookSaw).as("the call's hooks are inside the chain").containsExactly("{\"email\":\"<email>\"}");
        assertThat(result.newItems()).filteredOn(i -> i instanceof RunItem.ToolCallItem).singleElement()
                .satisfies(i -> assertThat(((RunItem.ToolCallItem) i).call().arguments()).isEqualTo("{\"email\":\"ann@example.com\"}"));
        assertThat(result.finalOutput()).isEqualTo("Found you.");
    }

    @Test
    void a_tool_interceptor_can_answer_in_the_tools_place() {
        ToolInterceptor limited = (call, next) -> new Engine.ToolOutcome("Rate limit reached; try again in a minute.", true);
        Script model = new Script(call("lookup_customer", "{\"email\":\"ann@example.com\"}"), reply("Sorry, later."));

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).build())
                .run(desk, "who am I?", RunOptions.<Void>none().withToolInterceptor(limited));

        assertThat(toolSaw).isEmpty();
        assertThat(result.newItems()).filteredOn(i -> i instanceof RunItem.ToolOutputItem).singleElement().satisfies(i -> {
            assertThat(((RunItem.ToolOutputItem) i).output().output()).isEqualTo("Rate limit reached; try again in a minute.");
            assertThat(((RunItem.ToolOutputItem) i).error()).isTrue();
        });
    }

    @Test
    void links_run_in_the_order_they_were_added_the_runners_before_the_runs() {
        List<String> order = new CopyOnWriteArrayList<>();
        ModelInterceptor outer = (call, next) -> {
            order.add("runner>");
            ModelResponse r = next.proceed(call);
            order.add("<runner");
            return r;
        };
        ModelInterceptor inner = (call, next) -> {
            order.add("run>");
            ModelResponse r = next.proceed(call);
            order.add("<run");
            return r;
        };
        ToolInterceptor first = (call, next) -> {
            order.add("tool-1>");
            return next.proceed(call);
        };
        ToolInterceptor second = (call, next) -> {
            order.add("tool-2>");
            return next.proceed(call);
        };
        Script model = new Script(call("lookup_customer", "{\"email\":\"a@b.c\"}"), reply("done"));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).modelInterceptor(outer).toolInterceptor(first)
                .toolInterceptor(second).build());

        runner.run(desk, "hi", RunOptions.<Void>none().withModelInterceptor(inner));

        assertThat(order).containsExactly("runner>", "run>", "<run", "<runner", "tool-1>", "tool-2>",
                "runner>", "run>", "<run", "<runner");
    }

    @Test
    void a_step_the_engine_replays_runs_no_link_of_the_chain() {
        EngineTest.TestEngine engine = new EngineTest.TestEngine();
        engine.recordedModelCalls.put(1, new ModelResponse(List.of(new ToolCall("call_rec", "lookup_customer", "{\"email\":\"a@b.c\"}")),
                Usage.of(10, 5)));
        engine.recordedToolCalls.put("call_rec", new Engine.ToolOutcome("{\"customer\":\"C-9\"}", false));
        List<String> seen = new CopyOnWriteArrayList<>();
        Script model = new Script(reply("You are C-9."));

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model)
                        .modelInterceptor((call, next) -> {
                            seen.add("model " + call.request().agent());
                            return next.proceed(call);
                        })
                        .toolInterceptor((call, next) -> {
                            seen.add("tool " + call.tool());
                            return next.proceed(call);
                        }).build())
                .run(desk, "who am I?", RunOptions.<Void>none().withEngine(engine));

        assertThat(result.finalOutput()).isEqualTo("You are C-9.");
        assertThat(seen).as("only the model call that was performed").containsExactly("model desk");
        assertThat(toolSaw).isEmpty();
    }

    @Test
    void without_interceptors_a_runner_shares_one_empty_chain() {
        Runner runner = Runner.create();

        assertThat(runner.interceptors()).isSameAs(Interceptors.NONE);
        assertThat(runner.interceptors().with(List.of(), List.of())).isSameAs(Interceptors.NONE);
        assertThat(RunConfig.defaults().modelInterceptors()).isEmpty();
    }
}
