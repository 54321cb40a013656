package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** OpenAI's Responses API over the desks, through the official openai-java client over real HTTP. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class ResponsesEndpointTest {
    final ScriptedModel model = ScriptedModel.create();
    final InMemorySessionStore sessions = new InMemorySessionStore();
    BatonServer server;
    OpenAIClient openai;

    void serve() {
        server = Desk.server(model, sessions).desk("support", Desk.triage()).desk("refunds", Desk.billing()).build().start();
        openai = OpenAIOkHttpClient.builder().apiKey("not-checked").baseUrl(server.url() + "v1").maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        if (openai != null) {
            openai.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static String text(Response response) {
        return response.output().get(0).asMessage().content().get(0).asOutputText().text();
    }

    String session(Response response) {
        return server.worker().store().findRun(response.id().substring("resp_".length())).orElseThrow().sessionId();
    }

    @Test
    void a_response_is_the_desks_answer_and_the_previous_response_id_continues_its_conversation() {
        model.forAgent("triage", handoffTo("billing"))
                .forAgent("billing", reply("Refund initiated."))
                .forAgent("billing", reply("It takes three days."));
        serve();

        Response first = openai.responses().create(ResponseCreateParams.builder().model("support").input("I was charged twice").build());
        Response second = openai.responses().create(ResponseCreateParams.builder().model("support")
                .input("How long does it take?").previousResponseId(first.id()).build());

        assertThat(text(first)).isEqualTo("Refund initiated.");
        assertThat(text(second)).isEqualTo("It takes three days.");
        assertThat(first.id()).startsWith("resp_");
        assertThat(second.previousResponseId()).contains(first.id());
        assertThat(session(second)).isEqualTo(session(first));
        List<String> users = new ArrayList<>();
        for (Item item : sessions.items(session(first), 0)) {
            if (item instanceof Message m && m.role() == Message.Role.USER) {
                users.add(m.text());
            }
        }
        assertThat(users).containsExactly("I was charged twice", "How long does it take?");
        assertThat(second.usage().orElseThrow().totalTokens()).isPositive();
        assertThat(openai.responses().retrieve(first.id()).id()).isEqualTo(first.id());
        assertThat(text(openai.responses().retrieve(first.id()))).isEqualTo("Refund initiated.");
    }

    @Test
    void streamed_the_text_arrives_in_output_text_deltas_and_the_stream_ends_with_the_completed_response() {
        model.forAgent("triage", reply("Hello! How can I help?"));
        serve();

        StringBuilder deltas = new StringBuilder();
        Response completed = null;
        try (StreamResponse<ResponseStreamEvent> stream = openai.responses().createStreaming(
                ResponseCreateParams.builder().model("support").input("Hi").build())) {
            for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
                if (event.isOutputTextDelta()) {
                    deltas.append(event.asOutputTextDelta().delta());
                }
                if (event.isCompleted()) {
                    completed = event.asCompleted().response();
                }
            }
        }

        assertThat(deltas.toString()).isEqualTo("Hello! How can I help?");
        assertThat(completed).isNotNull();
        assertThat(text(completed)).isEqualTo("Hello! How can I help?");
    }

    @Test
    void a_run_that_waits_for_approval_answers_that_a_person_must_decide() {
        model.forAgent("billing", callTool("issue_refund", new Desk.Refund("A-1")), reply("Refunded."));
        serve();

        Response response = openai.responses().create(ResponseCreateParams.builder().model("refunds").input("Refund A-1").build());

        assertThat(text(response)).contains("waiting for a person");
    }

    @Test
    void an_unknown_previous_response_or_another_desks_is_refused_saying_which() {
        model.forAgent("triage", reply("Hello."));
        serve();
        Response first = openai.responses().create(ResponseCreateParams.builder().model("support").input("Hi").build());

        assertThatThrownBy(() -> openai.responses().create(ResponseCreateParams.builder().model("support").input("Hi")
                .previousResponseId("resp_nope").build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("no response with id 'resp_nope'");
        assertThatThrownBy(() -> openai.responses().create(ResponseCreateParams.builder().model("refunds").input("Hi")
                .previousResponseId(first.id()).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("a conversation stays with one desk");
        assertThatThrownBy(() -> openai.responses().create(ResponseCreateParams.builder().model("support").input("  ").build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("'input' is required");
    }
}
