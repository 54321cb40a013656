package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import dev.baton.durable.RunRecord;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class OpenAiEndpointTest {
    final ScriptedModel model = ScriptedModel.create();
    final InMemorySessionStore sessions = new InMemorySessionStore();
    BatonServer server;
    OpenAIClient openai;

    void serve() {
        server = Desk.server(model, sessions)
                .desk("support", Desk.triage())
                .desk("refunds", Desk.billing())
                .build()
                .start();
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

    static ChatCompletionCreateParams.Builder ask(String desk) {
        return ChatCompletionCreateParams.builder().model(desk);
    }

    static String text(ChatCompletion completion) {
        return completion.choices().get(0).message().content().orElseThrow();
    }

    RunRecord run(HttpResponseFor<?> response) {
        String id = response.headers().values("X-Baton-Run").get(0);
        return server.worker().store().findRun(id).orElseThrow();
    }

    List<String> userMessages(String session) {
        List<String> users = new ArrayList<>();
        for (Item item : sessions.items(session, 0)) {
            if (item instanceof Message m && m.role() == Message.Role.USER) {
                users.add(m.text());
            }
        }
        return users;
    }

    @Test
    void each_desk_is_listed_as_a_model_owned_by_baton() {
        serve();

        List<Model> models = openai.models().list().data();

        assertThat(models).extracting(Model::id).containsExactly("refunds", "support");
        assertThat(models).extracting(Model::ownedBy).containsOnly("baton");
        assertThat(openai.models().retrieve("support").id()).isEqualTo("support");
    }

    @Test
    void a_completion_is_the_desks_final_answer_after_a_handoff_with_the_runs_usage() {
        model.forAgent("triage", handoffTo("billing")).forAgent("billing", reply("Refund initiated."));
        serve();

        HttpResponseFor<ChatCompletion> response = openai.chat().completions().withRawResponse()
                .create(ask("support").addUserMessage("I was charged twice").user("ticket-7").build());
        ChatCompletion completion = response.parse();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text(completion)).isEqualTo("Refund initiated.");
        assertThat(completion.model()).isEqualTo("support");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        RunRecord run = run(response);
        assertThat(run.sessionId()).isEqualTo("ticket-7");
        assertThat(run.currentAgent()).isEqualTo("billing");
        assertThat(completion._additionalProperties().get("baton").toString()).contains("billing");
        assertThat(run.usage().requests()).isEqualTo(2);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(run.usage().totalTokens());
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(run.usage().inputTokens());
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(run.usage().outputTokens());
    }

    @Test
    void the_whole_conversation_resent_continues_the_session_without_storing_it_twice() {
        model.forAgent("triage", handoffTo("billing"))
                .forAgent("billing", reply("Refund initiated."))
                .forAgent("billing", reply("It takes three days."));
        serve();
        openai.chat().completions().create(ask("support").addUserMessage("I was charged twice").user("ticket-8").build());
        int afterFirst = sessions.items("ticket-8", 0).size();

        ChatCompletion second = openai.chat().completions().create(ask("support")
                .addUserMessage("I was charged twice")
                .addAssistantMessage("Refund initiated.")
                .addUserMessage("How long does it take?")
                .user("ticket-8")
                .build());

        assertThat(text(second)).isEqualTo("It takes three days.");
        assertThat(userMessages("ticket-8")).containsExactly("I was charged twice", "How long does it take?");
        assertThat(sessions.items("ticket-8", 0)).hasSize(afterFirst + 2);
        assertThat(model.requestsFor("triage")).hasSize(1);
        model.assertAllStepsUsed();
    }

    @Test
    void the_session_is_taken_from_the_header_before_the_user_field() {
        model.forAgent("billing", reply("Refund initiated."));
        serve();

        HttpResponseFor<ChatCompletion> response = openai.chat().completions().withRawResponse().create(ask("refunds")
                .addUserMessage("Refund order 1").user("someone").putAdditionalHeader("X-Baton-Session", "ticket-9").build());

        assertThat(run(response).sessionId()).isEqualTo("ticket-9");
        assertThat(response.headers().values("X-Baton-Session")).containsExactly("ticket-9");
        assertThat(userMessages("ticket-9")).containsExactly("Refund order 1");
        assertThat(sessions.items("someone", 0)).isEmpty();
    }

    @Test
    void without_a_session_id_a_conversation_seen_before_is_recognised_from_its_messages() {
        model.forAgent("billing", reply("Which order?"), reply("Refunded."), reply("Which order?"));
        serve();
        HttpResponseFor<ChatCompletion> first = openai.chat().completions().withRawResponse()
                .create(ask("refunds").addUserMessage("I want a refund").build());
        String session = run(first).sessionId();

        HttpResponseFor<ChatCompletion> second = openai.chat().completions().withRawResponse().create(ask("refunds")
                .addUserMessage("I want a refund").addAssistantMessage("Which order?").addUserMessage("Order 1").build());
        HttpResponseFor<ChatCompletion> another = openai.chat().completions().withRawResponse()
                .create(ask("refunds").addUserMessage("I want a refund").build());

        assertThat(session).startsWith("chat-");
        assertThat(run(second).sessionId()).isEqualTo(session);
        assertThat(text(second.parse())).isEqualTo("Refunded.");
        assertThat(userMessages(session)).containsExactly("I want a refund", "Order 1");
        assertThat(run(another).sessionId()).as("a new conversation that starts alike").isNotEqualTo(session);
    }

    @Test
    void a_completion_streams_as_chunks_with_the_answer_and_usage() {
        model.forAgent("triage", handoffTo("billing")).forAgent("billing", reply("Refund initiated."));
        serve();

        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(ask("support")
                .addUserMessage("I was charged twice").user("ticket-10")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks = stream.stream().toList();
        }

        String answer = chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.delta().content().stream())
                .collect(Collectors.joining());
        assertThat(answer).isEqualTo("Refund initiated.");
        assertThat(chunks).allSatisfy(c -> assertThat(c.model()).isEqualTo("support"));
        assertThat(chunks.get(0).choices().get(0).delta().role()).hasValue(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.finishReason().stream()))
                .containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        RunRecord run = server.worker().store().findRun(chunks.get(0).id().substring("chatcmpl-".length())).orElseThrow();
        assertThat(chunks.get(chunks.size() - 1).usage().orElseThrow().totalTokens()).isEqualTo(run.usage().totalTokens());
        assertThat(userMessages("ticket-10")).containsExactly("I was charged twice");
    }

    @Test
    void a_run_that_pauses_for_approval_answers_that_it_waits_for_a_person() {
        model.forAgent("billing", callTool("issue_refund", new Desk.Refund("A1")));
        serve();

        HttpResponseFor<ChatCompletion> response = openai.chat().completions().withRawResponse()
                .create(ask("refunds").addUserMessage("Refund order A1").user("ticket-11").build());

        RunRecord run = run(response);
        assertThat(run.status()).isEqualTo(dev.baton.durable.RunStatus.PAUSED);
        assertThat(text(response.parse())).contains("waiting for a person").contains(run.id());
    }

    @Test
    void an_unknown_model_is_refused_with_404_in_openais_error_shape() {
        serve();

        NotFoundException e = catchThrowableOfType(NotFoundException.class,
                () -> openai.chat().completions().create(ask("sales").addUserMessage("Hello").build()));

        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.code()).hasValue("model_not_found");
        assertThat(e.type()).hasValue("invalid_request_error");
        assertThat(e.param()).hasValue("model");
        assertThat(e.getMessage()).contains("sales");
    }

    @Test
    void a_malformed_body_is_refused_with_400_in_openais_error_shape() {
        serve();
        Http http = new Http(server);

        Http.Answer notJson = http.post("/v1/chat/completions", "{\"model\": \"support\", ");
        Http.Answer noMessages = http.post("/v1/chat/completions", "{\"model\": \"support\", \"messages\": []}");
        Http.Answer toolMessage = http.post("/v1/chat/completions",
                "{\"model\": \"support\", \"messages\": [{\"role\": \"tool\", \"content\": \"42\"}]}");

        assertThat(notJson.status()).isEqualTo(400);
        JsonNode error = notJson.body().get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("not valid JSON");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        assertThat(noMessages.status()).isEqualTo(400);
        assertThat(noMessages.body().get("error").get("param").asText()).isEqualTo("messages");
        assertThat(toolMessage.status()).isEqualTo(400);
        assertThat(toolMessage.body().get("error").get("param").asText()).isEqualTo("messages[0].role");
        assertThat(server.worker().store().listRuns(dev.baton.durable.RunQuery.all())).isEmpty();
    }
}
