package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Chat Completions servers reject a conversation with an unanswered call or a stray answer. */
@DisplayName("Chat Completions history: every call answered exactly once")
class ChatCompletionsHistoryTest {

    static final ToolCall A = new ToolCall("call_a", "get_invoice", "{}");
    static final ToolCall B = new ToolCall("call_b", "refund", "{}");

    @Test
    void a_well_formed_conversation_is_sent_unchanged() {
        List<Item> input = List.of(Message.user("hi"), A, B, new ToolOutput("call_a", "x"), new ToolOutput("call_b", "y"),
                Message.assistant("done"));

        assertThat(ChatCompletionsRequests.answered(input)).isEqualTo(input);
    }

    @Test
    void a_call_without_an_output_gets_a_placeholder_answer_before_the_next_message() {
        List<Item> input = List.of(Message.user("hi"), A, B, new ToolOutput("call_a", "x"), Message.user("still there?"));

        assertThat(ChatCompletionsRequests.answered(input)).containsExactly(Message.user("hi"), A, B,
                new ToolOutput("call_a", "x"), new ToolOutput("call_b", ChatCompletionsRequests.UNANSWERED),
                Message.user("still there?"));
    }

    @Test
    void a_trailing_unanswered_call_is_answered_too() {
        assertThat(ChatCompletionsRequests.answered(List.of(Message.user("hi"), A)))
                .containsExactly(Message.user("hi"), A, new ToolOutput("call_a", ChatCompletionsRequests.UNANSWERED));
    }

    @Test
    void orphan_and_duplicate_outputs_are_left_out() {
        List<Item> input = List.of(new ToolOutput("call_zz", "orphan"), Message.user("hi"), A,
                new ToolOutput("call_a", "first"), new ToolOutput("call_a", "second"), Message.assistant("ok"));

        assertThat(ChatCompletionsRequests.answered(input)).containsExactly(Message.user("hi"), A,
                new ToolOutput("call_a", "first"), Message.assistant("ok"));
    }

    @Test
    void a_new_batch_of_calls_closes_the_previous_one() {
        List<Item> input = List.of(A, new ToolOutput("call_a", "x"), B);

        assertThat(ChatCompletionsRequests.answered(input)).containsExactly(A, new ToolOutput("call_a", "x"), B,
                new ToolOutput("call_b", ChatCompletionsRequests.UNANSWERED));
    }
}
