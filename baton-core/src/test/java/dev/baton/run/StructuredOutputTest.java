package dev.baton.run;

import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.MaxTurnsExceeded;
import dev.baton.ModelBehaviorError;
import dev.baton.agent.Agent;
import dev.baton.agent.OutputType;
import dev.baton.schema.Description;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Structured output")
class StructuredOutputTest {

    enum Priority { LOW, MEDIUM, HIGH }

    record Customer(String name, @Description("E-mail address") String email) {}

    record TicketInfo(String ticketId, Priority priority, String category, Customer customer, List<String> tags) {}

    static RunResult run(Agent<Void> agent, Script model) {
        return Runner.create().run(agent, "My router is broken", RunOptions.<Void>none().withModel(model));
    }

    @Test
    void a_record_output_sends_its_strict_schema_and_parses_the_answer() {
        Agent<Void> agent = Agent.<Void>builder("classifier").outputType(TicketInfo.class).build();
        Script model = new Script(reply("""
                {"ticket_id":"T-1","priority":"HIGH","category":"rma","customer":{"name":"Ada","email":"ada@x.org"},"tags":["router"]}"""));

        RunResult result = run(agent, model);

        TicketInfo info = result.finalOutputAs(TicketInfo.class);
        assertThat(info).isEqualTo(new TicketInfo("T-1", Priority.HIGH, "rma", new Customer("Ada", "ada@x.org"), List.of("router")));
        var schema = model.requests.get(0).outputSchema();
        assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
        assertThat(schema.get("required")).hasSize(5);
        assertThat(schema.toString()).contains("E-mail address");
        assertThat(result.finalOutputText()).contains("\"ticket_id\":\"T-1\"");
    }

    @Test
    void an_enum_output_travels_wrapped_in_an_object() {
        Agent<Void> agent = Agent.<Void>builder("prioritiser").outputType(Priority.class).build();
        Script model = new Script(reply("{\"response\":\"MEDIUM\"}"));

        RunResult result = run(agent, model);

        assertThat(result.finalOutput()).isEqualTo(Priority.MEDIUM);
        assertThat(model.requests.get(0).outputSchema().get("properties").get("response").get("enum"))
                .extracting(n -> n.asText()).containsExactly("LOW", "MEDIUM", "HIGH");
    }

    @Test
    void a_list_output_is_parsed_into_its_elements() {
        Agent<Void> agent = Agent.<Void>builder("extractor").outputType(OutputType.listOf(Customer.class)).build();
        Script model = new Script(reply("{\"response\":[{\"name\":\"Ada\",\"email\":\"a@x\"},{\"name\":\"Bo\",\"email\":\"b@x\"}]}"));

        assertThat(run(agent, model).finalOutput()).isEqualTo(List.of(new Customer("Ada", "a@x"), new Customer("Bo", "b@x")));
    }

    @Test
    void invalid_output_is_a_model_behavior_error_carrying_the_raw_text() {
        Agent<Void> agent = Agent.<Void>builder("classifier").outputType(TicketInfo.class).build();

        assertThatThrownBy(() -> run(agent, new Script(reply("Sure! The ticket is high priority."))))
                .isInstanceOfSatisfying(ModelBehaviorError.class, e -> {
                    assertThat(e.getMessage()).contains("classifier").contains("TicketInfo");
                    assertThat(e.rawOutput()).isEqualTo("Sure! The ticket is high priority.");
                    assertThat(e.items()).hasSize(1);
                });
    }

    @Test
    void an_error_handler_can_turn_invalid_output_into_a_final_output() {
        Agent<Void> agent = Agent.<Void>builder("prioritiser").outputType(Priority.class).build();

        RunResult result = Runner.create().run(agent, "x", RunOptions.<Void>none().withModel(new Script(reply("{\"response\":\"URGENT\"}")))
                .withErrorHandler(failure -> failure instanceof RunErrorHandler.Failure.InvalidOutput i && i.rawOutput().contains("URGENT")
                        ? Optional.of(Priority.HIGH) : Optional.empty()));

        assertThat(result.finalOutput()).isEqualTo(Priority.HIGH);
    }

    @Test
    void an_error_handler_can_turn_max_turns_into_a_final_output() {
        record NoArgs() {}
        var ping = dev.baton.tool.Tool.<Void, NoArgs>of("ping", "", NoArgs.class, (c, a) -> "pong");
        Agent<Void> agent = Agent.<Void>builder("looper").tools(ping).build();
        Script model = new Script(Script.call("ping", "{}"), Script.call("ping", "{}"));

        RunResult result = Runner.create().run(agent, "x", RunOptions.<Void>none().withModel(model).withMaxTurns(2)
                .withErrorHandler(failure -> failure instanceof RunErrorHandler.Failure.MaxTurns m
                        ? Optional.of("Gave up after " + m.maxTurns() + " turns with " + m.items().size() + " items") : Optional.empty()));

        assertThat(result.finalOutput()).isEqualTo("Gave up after 2 turns with 4 items");
        assertThatThrownBy(() -> Runner.create().run(agent, "x", RunOptions.<Void>none()
                .withModel(new Script(Script.call("ping", "{}"), Script.call("ping", "{}"))).withMaxTurns(2)))
                .isInstanceOf(MaxTurnsExceeded.class);
    }
}
