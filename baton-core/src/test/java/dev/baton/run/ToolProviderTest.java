package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ToolProviderFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.model.ToolSpec;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolProvider;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tools from providers, asked for on every turn")
class ToolProviderTest {

    record Query(String text) {}

    static Tool<Object> tool(String name, AtomicInteger calls) {
        return Tool.<Object, Query>of(name, "Looks up " + name + ".", Query.class, (ctx, q) -> {
            calls.incrementAndGet();
            return name + ": " + q.text();
        });
    }

    /** A provider whose tools the test changes between turns, as a server's list-changed notification would. */
    static class Changing implements ToolProvider<Object> {
        final List<Tool<Object>> current = new CopyOnWriteArrayList<>();
        final AtomicInteger asked = new AtomicInteger();
        final String name;

        Changing(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Tool<Object>> tools(RunContext<Object> context, Agent<Object> agent) {
            asked.incrementAndGet();
            return List.copyOf(current);
        }

        @Override
        public String fingerprint() {
            return "crm@v1";
        }
    }

    static List<String> offered(dev.baton.model.ModelRequest request) {
        return request.tools().stream().map(ToolSpec::name).toList();
    }

    @Test
    void a_provided_tool_is_offered_after_the_agents_own_and_called_like_any_tool() {
        AtomicInteger own = new AtomicInteger();
        AtomicInteger crm = new AtomicInteger();
        Changing provider = new Changing("crm");
        provider.current.add(tool("find_customer", crm));
        Script model = new Script(call("find_customer", "{\"text\":\"Ada\"}"), reply("Found Ada."));
        Agent<Object> agent = Agent.builder("support").tools(tool("get_invoice", own)).toolProviders(provider).build();

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).build()).run(agent, "who is Ada?");

        assertThat(result.finalOutput()).isEqualTo("Found Ada.");
        assertThat(crm).hasValue(1);
        assertThat(own).hasValue(0);
        assertThat(offered(model.requests.get(0))).containsExactly("get_invoice", "find_customer");
        assertThat(provider.asked).as("asked once per turn").hasValue(2);
    }

    @Test
    void the_tools_a_provider_gives_may_change_from_one_turn_to_the_next() {
        AtomicInteger calls = new AtomicInteger();
        Changing provider = new Changing("crm");
        provider.current.add(tool("find_customer", calls));
        Script model = new Script(
                r -> {
                    provider.current.clear(); // the server's list changed while the model thought
                    provider.current.add(tool("find_account", calls));
                    return Script.response(Script.toolCall("find_customer", "{\"text\":\"Ada\"}"));
                },
                call("find_account", "{\"text\":\"Ada\"}"),
                reply("done"));
        Agent<Object> agent = Agent.builder("support").toolProviders(provider).build();

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).build()).run(agent, "hi");

        assertThat(result.finalOutput()).isEqualTo("done");
        assertThat(offered(model.requests.get(0))).containsExactly("find_customer");
        assertThat(offered(model.requests.get(1))).containsExactly("find_account");
        assertThat(calls).as("a call of the tool as it was offered runs, the next turn sees the new list").hasValue(2);
    }

    @Test
    void a_provider_that_cannot_list_its_tools_fails_the_run_naming_it_and_keeps_what_the_run_did() {
        ToolProvider<Object> down = new ToolProvider<>() {
            @Override
            public String name() {
                return "tickets";
            }

            @Override
            public List<Tool<Object>> tools(RunContext<Object> context, Agent<Object> agent) {
                throw new UncheckedIOException(new java.io.IOException("MCP server 'tickets' exited with code 1"));
            }
        };
        Agent<Object> agent = Agent.builder("support").toolProviders(down).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(new Script(reply("never"))).build());

        assertThatThrownBy(() -> runner.run(agent, "hello"))
                .isInstanceOfSatisfying(ToolProviderFailed.class, e -> {
                    assertThat(e.provider()).isEqualTo("tickets");
                    assertThat(e.getMessage()).contains("'tickets'", "'support'", "exited with code 1");
                    assertThat(e.runData()).isNotNull();
                });
    }

    @Test
    void two_sources_offering_one_name_is_an_error_that_names_both() {
        Changing provider = new Changing("crm");
        provider.current.add(tool("get_invoice", new AtomicInteger()));
        Agent<Object> agent = Agent.builder("support").tools(tool("get_invoice", new AtomicInteger())).toolProviders(provider).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(new Script(reply("never"))).build());

        assertThatThrownBy(() -> runner.run(agent, "hello"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("two tools named 'get_invoice'")
                .hasMessageContaining("its own tools")
                .hasMessageContaining("tool provider 'crm'");
    }

    @Test
    void two_providers_with_one_name_are_refused_when_the_agent_is_built() {
        assertThatThrownBy(() -> Agent.builder("support").toolProviders(new Changing("crm"), new Changing("crm")).build())
                .isInstanceOf(UserError.class)
                .hasMessageContaining("two tool providers named 'crm'");
    }

    @Test
    void the_fingerprint_counts_a_providers_definition_not_the_tools_it_gives_now() {
        Changing provider = new Changing("crm");
        Agent<Object> with = Agent.builder("support").toolProviders(provider).build();
        String before = with.fingerprint();
        provider.current.add(tool("find_customer", new AtomicInteger()));

        assertThat(Agent.builder("support").toolProviders(provider).build().fingerprint()).isEqualTo(before);
        assertThat(Agent.builder("support").build().fingerprint()).isNotEqualTo(before);
        Changing other = new Changing("crm") {
            @Override
            public String fingerprint() {
                return "crm@v2";
            }
        };
        assertThat(Agent.builder("support").toolProviders(other).build().fingerprint()).isNotEqualTo(before);
    }

    @Test
    void a_provided_tool_that_needs_approval_pauses_and_runs_from_the_provider_when_approved() {
        AtomicInteger refunds = new AtomicInteger();
        Changing provider = new Changing("payments");
        provider.current.add(tool("refund", refunds).requiringApproval());
        Script model = new Script(call("refund", "{\"text\":\"INV-9\"}"), reply("Refunded."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        Agent<Object> agent = Agent.builder("billing").toolProviders(provider).build();

        RunResult paused = runner.run(agent, "refund INV-9");
        assertThat(paused.isPaused()).isTrue();
        assertThat(refunds).hasValue(0);
        RunResult done = runner.resume(agent, paused.toState().approve(paused.interruptions().get(0).callId()));

        assertThat(done.finalOutput()).isEqualTo("Refunded.");
        assertThat(refunds).hasValue(1);
    }
}
