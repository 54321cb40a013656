package dev.baton.runtime.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.human.HumanReply;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.TopicId;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The operator's answer read back from its JSON envelope, as a worker on another process reads it. */
@DisplayName("A human answer across processes")
class HumanAnswerTest {

    final MessageCodec codec = new MessageCodec(MessageTypes.of(HumanAnswer.class));

    HumanAnswer throughJson(HumanAnswer answer) {
        return (HumanAnswer) codec.decode(codec.fromJson(codec.toJson(codec.encode(answer, "m-1", null, new TopicId("t", "s"), null))));
    }

    @Test
    void a_message_without_a_handoff_reads_back_as_the_same_reply() {
        HumanAnswer read = throughJson(HumanAnswer.of(Optional.of(HumanReply.say("Hello this is manager"))));

        assertThat(read.toReply()).contains(HumanReply.say("Hello this is manager"));
    }

    @Test
    void a_handoff_with_its_input_and_no_answer_read_back_too() {
        HumanAnswer handoff = throughJson(HumanAnswer.of(Optional.of(HumanReply.handOff("triage_agent", "Back to triage")
                .withHandoffInput(Map.of("reason", "refund")))));
        HumanAnswer none = throughJson(HumanAnswer.of(Optional.empty()));

        assertThat(handoff.toReply()).hasValueSatisfying(r -> {
            assertThat(r.handoff()).isEqualTo("triage_agent");
            assertThat(r.text()).isEqualTo("Back to triage");
            assertThat(r.handoffInput()).hasToString("{\"reason\":\"refund\"}");
        });
        assertThat(none.toReply()).isEmpty();
    }
}
