package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class StreamApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One Server-Sent Event as the client reads it. */
    record Sse(@Nullable String id, String event, JsonNode data) {}

    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    BatonServer server;
    Http http;

    @BeforeEach
    void start() {
        // triage hands off to a clerk whose tool waits until the test releases it.
        Tool<Void> bank = Tool.<Void, Desk.Refund>of("wait_for_bank", "Wait for the bank.", Desk.Refund.class, (ctx, r) -> {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
            return "the bank answered";
        });
        Agent<Void> clerk = Agent.<Void>builder("clerk").tools(bank).build();
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs(Handoff.to(clerk)).build();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("clerk"), handoffTo("clerk"))
                .forAgent("clerk", callTool("wait_for_bank", new Desk.Refund("A-1")), reply("Paid."),
                        callTool("wait_for_bank", new Desk.Refund("A-2")), reply("Paid again."));
        server = Desk.server(model)
                .desk("bank", triage)
                .build()
                .start();
        http = new Http(server);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    String startRun() {
        return http.post("/api/desks/bank/runs", "{\"input\": \"Where is my money?\"}").body().get("id").asText();
    }

    @Test
    void a_live_run_streams_its_events_as_they_happen_and_ends_with_the_run() throws Exception {
        String id = startRun();
        try (Stream<String> lines = open("/api/runs/" + id + "/stream", null)) {
            Iterator<String> it = lines.iterator();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            List<Sse> beforeRelease = new ArrayList<>();
            Sse e;
            do {
                e = next(it);
                beforeRelease.add(e);
            } while (!e.event().equals("ToolCalled"));
            assertThat(http.get("/api/runs/" + id).body().get("status").asText()).as("read while the run waits").isEqualTo("running");
            release.countDown();

            List<Sse> after = new ArrayList<>();
            do {
                e = next(it);
                after.add(e);
            } while (!e.event().equals("end"));

            assertThat(beforeRelease).extracting(Sse::event).contains("HandoffOccurred");
            List<Sse> all = new ArrayList<>(beforeRelease);
            all.addAll(after.subList(0, after.size() - 1));
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).id()).isEqualTo(Integer.toString(i));
                assertThat(all.get(i).data().get("seq").asLong()).isEqualTo(i);
            }
            assertThat(after).extracting(Sse::event).contains("ToolFinished");
            Sse end = after.get(after.size() - 1);
            assertThat(end.id()).isNull();
            assertThat(end.data().get("status").asText()).isEqualTo("completed");
            assertThat(end.data().get("output").asText()).isEqualTo("Paid.");
            assertThat(it.hasNext()).as("the stream closes after the end").isFalse();
        }
    }

    @Test
    void a_stream_resumes_after_the_last_event_id_the_client_got() {
        release.countDown();
        String id = startRun();
        JsonNode done = http.awaitEnd(id);
        assertThat(done.get("status").asText()).isEqualTo("completed");
        JsonNode events = http.get("/api/runs/" + id + "/events").body().get("events");

        List<Sse> resumed = readAll("/api/runs/" + id + "/stream", "2");

        assertThat(resumed).extracting(Sse::id).startsWith("3").endsWith((String) null);
        assertThat(resumed).hasSize(events.size() - 3 + 1);
        assertThat(resumed.get(0).data()).isEqualTo(events.get(3));
        assertThat(readAll("/api/runs/" + id + "/stream?from=1", null).get(0).id()).isEqualTo("1");
    }

    @Test
    void a_stream_of_an_unknown_run_or_with_a_bad_last_event_id_is_refused_as_json() throws Exception {
        release.countDown();
        assertThat(http.get("/api/runs/nope/stream").status()).isEqualTo(404);
        String id = startRun();
        HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.url().resolve("/api/runs/" + id + "/stream"))
                .header("Last-Event-ID", "seven").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").get("message").asText()).contains("Last-Event-ID");
    }

    private Stream<String> open(String path, @Nullable String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.url().resolve(path)).timeout(Duration.ofSeconds(30));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private List<Sse> readAll(String path, @Nullable String lastEventId) {
        try (Stream<String> lines = open(path, lastEventId)) {
            Iterator<String> it = lines.iterator();
            List<Sse> all = new ArrayList<>();
            while (true) {
                Sse e = next(it);
                all.add(e);
                if (e.event().equals("end")) {
                    assertThat(it.hasNext()).isFalse();
                    return all;
                }
            }
        }
    }

    /** The next event of the stream, skipping comments. */
    private static Sse next(Iterator<String> lines) {
        String id = null;
        String event = null;
        String data = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (event != null) {
                    try {
                        return new Sse(id, event, JSON.readTree(data));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = line.substring(6);
            }
        }
        throw new AssertionError("the stream ended before the next event");
    }
}
