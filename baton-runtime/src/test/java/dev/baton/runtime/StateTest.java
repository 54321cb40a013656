package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("State: agents' state saved and loaded, one instance or the whole runtime")
class StateTest {

    record Remember(String text) {}

    record Recall() {}

    /** Keeps what it was told, per session. */
    static final class Memo extends RoutedAgent {
        private final List<String> notes = new ArrayList<>();

        @Handles
        void remember(Remember remember) {
            notes.add(remember.text());
        }

        @Handles
        List<String> recall(Recall recall) {
            return List.copyOf(notes);
        }

        @Override
        public JsonNode saveState() {
            return JsonNodeFactory.instance.objectNode().set("notes", new ObjectMapper().valueToTree(notes));
        }

        @Override
        public void loadState(JsonNode state) {
            notes.clear();
            state.get("notes").forEach(n -> notes.add(n.asText()));
        }
    }

    static final class Stateless extends RoutedAgent {
        @Handles
        void remember(Remember remember) {}
    }

    private static InProcessRuntime runtime() {
        InProcessRuntime runtime = InProcessRuntime.create();
        runtime.register("memo", id -> new Memo());
        runtime.register("stateless", id -> new Stateless());
        runtime.subscribe(Subscription.byType("notes", "memo"));
        runtime.subscribe(Subscription.byType("notes", "stateless"));
        return runtime;
    }

    @Test
    @DisplayName("a new runtime loads what another saved, and its agents go on from there")
    void save_and_load_the_runtime() throws Exception {
        InProcessRuntime first = runtime();
        first.publish(new Remember("a"), new TopicId("notes", "s1"));
        first.publish(new Remember("b"), new TopicId("notes", "s1"));
        first.publish(new Remember("c"), new TopicId("notes", "s2"));
        first.stopWhenIdle();
        String saved = new ObjectMapper().writeValueAsString(first.saveState());

        InProcessRuntime second = runtime();
        second.loadState(new ObjectMapper().readTree(saved));
        second.publish(new Remember("d"), new TopicId("notes", "s1"));

        assertThat(second.send(new Recall(), new AgentId("memo", "s1")).join()).isEqualTo(List.of("a", "b", "d"));
        assertThat(second.send(new Recall(), new AgentId("memo", "s2")).join()).isEqualTo(List.of("c"));
        second.stopWhenIdle();
        assertThat(saved).contains("\"type\":\"stateless\"", "\"state\":{}");
    }

    @Test
    @DisplayName("the saved state lists instances by type and key, with each agent's own JSON")
    void saved_shape() {
        InProcessRuntime runtime = runtime();
        runtime.publish(new Remember("x"), new TopicId("notes", "s9"));
        runtime.stopWhenIdle();

        JsonNode saved = runtime.saveState();

        assertThat(saved.get("agents")).hasSize(2);
        assertThat(saved.get("agents").get(0).get("type").asText()).isEqualTo("memo");
        assertThat(saved.get("agents").get(0).get("key").asText()).isEqualTo("s9");
        assertThat(saved.get("agents").get(0).get("state").get("notes").get(0).asText()).isEqualTo("x");
    }

    @Test
    @DisplayName("loading a state that is not one, or names an agent type not registered, is refused whole")
    void bad_state() throws Exception {
        InProcessRuntime runtime = runtime();
        ObjectMapper json = new ObjectMapper();

        assertThatThrownBy(() -> runtime.loadState(json.readTree("[1, 2]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a saved runtime state");
        assertThatThrownBy(() -> runtime.loadState(json.readTree("{\"agents\": [{\"type\": \"memo\"}]}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs type, key and state");
        assertThatThrownBy(() -> runtime.loadState(json.readTree(
                "{\"agents\": [{\"type\": \"memo\", \"key\": \"s1\", \"state\": {\"notes\": [\"kept?\"]}},"
                        + " {\"type\": \"ghost\", \"key\": \"s1\", \"state\": {}}]}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no agent type 'ghost'");

        assertThat(runtime.instanceCount()).as("nothing was loaded").isZero();
        runtime.stop();
    }
}
