package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The server scenario runs end to end against a real server on loopback and prints its two measurements; no timing is checked. */
@DisplayName("The server benchmark scenario")
class ServerScenarioTest {

    @Test
    void takes_every_turn_four_ways_and_follows_every_live_run_to_its_end() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new BenchMain()).execute("--scenario", "server", "--runs", "6", "--concurrency", "3",
                    "--turns", "2", "--latency-ms", "1", "--warmup", "2", "--watchers", "12", "--watchers-per-run", "3",
                    "--watch-latency-ms", "20");
        } finally {
            System.setOut(out);
        }

        assertThat(exit).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).strip().split("\n")) {
            lines.add(json.readTree(line));
        }
        assertThat(lines).hasSize(2);

        JsonNode turns = lines.get(0);
        assertThat(turns.get("scenario").asText()).isEqualTo("server");
        assertThat(turns.get("config").asText()).isEqualTo("conversations");
        assertThat(turns.get("runs").asInt()).isEqualTo(12);
        assertThat(turns.get("concurrency").asInt()).isEqualTo(3);
        assertThat(turns.get("failures").asLong()).isZero();
        // Every way made the same model calls per turn: the first turn hands off (3 calls), the next starts at billing (2).
        for (String way : List.of("runner", "durable", "api", "v1")) {
            assertThat(turns.get(way + "_model_calls_per_turn").asDouble()).as(way).isEqualTo(2.5);
            assertThat(turns.get(way + "_ms_p50").asDouble()).as(way).isPositive();
            assertThat(turns.get(way + "_ms_p99").asDouble()).as(way).isGreaterThanOrEqualTo(turns.get(way + "_ms_p50").asDouble());
        }
        assertThat(turns.get("api_added_ms_p50").asDouble())
                .isEqualTo(turns.get("api_ms_p50").asDouble() - turns.get("runner_ms_p50").asDouble());
        assertThat(turns.get("v1_added_vs_durable_ms_p99").asDouble())
                .isEqualTo(turns.get("v1_ms_p99").asDouble() - turns.get("durable_ms_p99").asDouble());

        JsonNode watch = lines.get(1);
        assertThat(watch.get("config").asText()).isEqualTo("sse-watchers");
        assertThat(watch.get("watchers").asInt()).isEqualTo(12);
        assertThat(watch.get("live_runs").asInt()).isEqualTo(4);
        assertThat(watch.get("failures").asLong()).isZero();
        assertThat(watch.get("unstamped_events").asLong()).isZero();
        // Every watcher got every event of its run; those written after it connected are measured.
        assertThat(watch.get("events_received").asLong()).isEqualTo(12L * 15);
        assertThat(watch.get("live_events").asLong()).isPositive().isLessThanOrEqualTo(12L * 15);
        assertThat(watch.get("delay_ms_max").asDouble()).isGreaterThanOrEqualTo(watch.get("delay_ms_p99").asDouble());
        assertThat(watch.get("p99_under_50ms").isBoolean()).isTrue();
    }

    @Test
    void the_watchers_connection_reads_lines_across_chunks_and_stops_at_the_last_chunk() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket s = listener.accept()) {
                    BufferedReader request = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    String l;
                    do {
                        l = request.readLine(); // the request, up to its blank line
                    } while (l != null && !l.isEmpty());
                    OutputStream o = s.getOutputStream();
                    o.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "9\r\n: run r1\n\r\n" // a whole line
                            + "7\r\nevent: \r\n" // a line split over two chunks, the second with an extension
                            + "4;x=1\r\nend\n\r\n"
                            + "0\r\n\r\n"
                            + "this is past the body").getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SseConnection c = SseConnection.open("127.0.0.1", listener.getLocalPort(), "/api/runs/r1/stream")) {
                assertThat(c.readLine()).isEqualTo(": run r1");
                assertThat(c.readLine()).isEqualTo("event: end");
                assertThat(c.readLine()).isNull();
            }
            server.join();
        }
    }
}
