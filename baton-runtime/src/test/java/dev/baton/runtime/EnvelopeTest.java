package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Envelopes: messages as JSON under stable type names")
class EnvelopeTest {

    @MessageType("support.UserTask")
    record UserTask(String sessionId, List<String> conversation) {}

    record Plain(int n) {}

    private final MessageCodec codec = new MessageCodec(MessageTypes.of(UserTask.class, Plain.class));

    @Test
    @DisplayName("an envelope written as JSON reads back equal, and its message reads back equal")
    void round_trip() {
        UserTask task = new UserTask("s1", List.of("user: hi", "triage: hello"));
        Envelope envelope = codec.encode(task, "m-1", new AgentId("triage", "s1"), new TopicId("billing", "s1"), null);

        String json = codec.toJson(envelope);
        Envelope read = codec.fromJson(json);

        assertThat(read).isEqualTo(envelope);
        assertThat(codec.decode(read)).isEqualTo(task);
        assertThat(json).contains("\"type\":\"support.UserTask\"", "\"sessionId\":\"s1\"",
                "\"sender\":{\"type\":\"triage\",\"key\":\"s1\"}", "\"topic\":{\"type\":\"billing\",\"source\":\"s1\"}");
    }

    @Test
    @DisplayName("the type name is the @MessageType value, or the simple class name")
    void stable_names() {
        assertThat(MessageTypes.nameOf(UserTask.class)).isEqualTo("support.UserTask");
        assertThat(MessageTypes.nameOf(Plain.class)).isEqualTo("Plain");
        assertThat(codec.types().classOf("support.UserTask")).contains(UserTask.class);
    }

    @Test
    @DisplayName("an envelope written by hand (another process, another language) reads as the registered class")
    void reads_foreign_json() {
        String json = """
                {"id": "m-2", "type": "Plain", "payload": {"n": 5, "addedLater": true},
                 "sender": null, "topic": null, "recipient": {"type": "counter", "key": "k"}}
                """;

        Envelope envelope = codec.fromJson(json);

        assertThat(codec.decode(envelope)).isEqualTo(new Plain(5));
        assertThat(envelope.recipient()).isEqualTo(new AgentId("counter", "k"));
    }

    @Test
    @DisplayName("an unknown type name, a payload that does not fit, and text that is no envelope are clear errors")
    void bad_input() {
        Envelope unknown = codec.fromJson("{\"id\":\"m\",\"type\":\"support.Refund\",\"payload\":{},\"recipient\":{\"type\":\"a\",\"key\":\"k\"}}");
        assertThatThrownBy(() -> codec.decode(unknown)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown message type 'support.Refund'");

        Envelope misfit = codec.fromJson("{\"id\":\"m\",\"type\":\"Plain\",\"payload\":{\"n\":\"five\"},\"recipient\":{\"type\":\"a\",\"key\":\"k\"}}");
        assertThatThrownBy(() -> codec.decode(misfit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");

        assertThatThrownBy(() -> codec.fromJson("{not json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an envelope");
        assertThatThrownBy(() -> codec.fromJson("{\"id\":\"m\",\"type\":\"Plain\",\"payload\":{}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an envelope");
    }

    @Test
    @DisplayName("two classes cannot share a type name")
    void names_are_unique() {
        @MessageType("Plain")
        record Impostor(int n) {}

        assertThatThrownBy(() -> codec.types().register(Impostor.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Plain' is taken by " + Plain.class.getName());
    }
}
