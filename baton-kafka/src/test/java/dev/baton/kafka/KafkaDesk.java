package dev.baton.kafka;

import dev.baton.agent.Agent;
import dev.baton.durable.RunStore;
import dev.baton.hook.RunHooks;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.jdbc.PostgresRunStore;
import dev.baton.jdbc.PostgresSessionStore;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunContext;
import dev.baton.schema.Description;
import dev.baton.session.SessionStore;
import dev.baton.tool.Tool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The support desk the Kafka worker JVMs host ({@link KafkaDeskWorker}): triage hands every
 * question to billing, which looks the invoice up with {@code get_invoice} and answers. The model is
 * scripted and deterministic, with an optional delay; with a log directory, every model call
 * ({@code model.log}: {@code model <pid> <session> <agent> <n>}, where n is the call's number within
 * its run, as the journal's effect {@code m<n>}) and every tool invocation ({@code tool.log}:
 * {@code tool <pid> <session> <idempotency key>}) is appended before it answers, so a test can count
 * repeats across processes.
 */
final class KafkaDesk {
    static final String DESK = "kafka-desk";
    static final String TRIAGE = "triage";
    static final String BILLING = "billing";
    private static final Pattern SESSION = Pattern.compile("INV-(\\S+) paid");

    private final @Nullable Path logs;
    private final int modelDelayMillis;
    private final long pid = ProcessHandle.current().pid();

    record Invoice(@Description("Invoice id") String id) {}

    KafkaDesk(@Nullable Path logs, int modelDelayMillis) {
        this.logs = logs;
        this.modelDelayMillis = modelDelayMillis;
    }

    /** What the person of {@code session} asks. */
    static String question(String session) {
        return "Is invoice INV-" + session + " paid?";
    }

    /** What billing answers the person of {@code session}. */
    static String answer(String session) {
        return "Invoice INV-" + session + ": $42, paid.";
    }

    Agent<Void> triage() {
        Tool<Void> invoice = Tool.of("get_invoice", "Look an invoice up.", Invoice.class, (ctx, a) -> {
            String session = a.id().substring("INV-".length());
            log("tool.log", "tool " + pid + " " + session + " " + ctx.idempotencyKey());
            return a.id() + ": $42, paid";
        });
        Agent<Void> billing = Agent.<Void>builder(BILLING).instructions("Answer billing questions.").tools(invoice).build();
        return Agent.<Void>builder(TRIAGE).instructions("Route the question.").handoffs(billing).build();
    }

    Model model() {
        return request -> {
            if (modelDelayMillis > 0) {
                try {
                    Thread.sleep(modelDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            }
            String session = session(request.input());
            List<Item> out;
            int n;
            if (request.agent().equals(TRIAGE)) {
                n = 1;
                out = List.of(new ToolCall("call_h_" + session, "transfer_to_billing", "{}"));
            } else {
                long lookedUp = request.input().stream().filter(i -> i instanceof ToolOutput o && o.callId().startsWith("call_i_")).count();
                n = (int) lookedUp + 1;
                out = lookedUp == 0
                        ? List.of(new ToolCall("call_i_" + session, "get_invoice", "{\"id\":\"INV-" + session + "\"}"))
                        : List.of(Message.assistant(answer(session)));
            }
            log("model.log", "model " + pid + " " + session + " " + request.agent() + " " + n);
            return new ModelResponse(out, Usage.of(20, 5));
        };
    }

    /** Hooks that append {@code start <session> <agent> <epoch micros>} when a turn's agent starts, for per-hop latency. */
    RunHooks<Void> timing(Timings timings) {
        return new RunHooks<>() {
            @Override
            public void onAgentStart(RunContext<Void> context, Agent<Void> agent) {
                timings.add(context.sessionId().orElse("?") + " " + agent.name() + " " + Timings.micros());
            }
        };
    }

    static String session(List<Item> input) {
        for (Item i : input) {
            if (i instanceof Message m && m.role() == Message.Role.USER) {
                Matcher matcher = SESSION.matcher(m.text());
                if (matcher.find()) {
                    return matcher.group(1);
                }
            }
        }
        return "?";
    }

    private void log(String file, String line) {
        if (logs == null) {
            return;
        }
        try {
            Files.writeString(logs.resolve(file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of timing kept in memory and written at once, so that measuring does not slow the handlers. */
    static final class Timings {
        private final java.util.concurrent.ConcurrentLinkedQueue<String> lines = new java.util.concurrent.ConcurrentLinkedQueue<>();

        static long micros() {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        }

        void add(String line) {
            lines.add(line);
        }

        void writeTo(Path file) {
            try {
                Files.write(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The run and session stores in one PostgreSQL database, on a pool of {@value #POOL} connections
     * (the stores' own pools have 10, too few for a hundred sessions in flight per worker).
     */
    record Stores(RunStore runs, SessionStore sessions, com.zaxxer.hikari.HikariDataSource pool) implements AutoCloseable {
        static final int POOL = 20;

        static Stores open(String url, String user, String password) {
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setPoolName("kafka-desk");
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(POOL);
            com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
            return new Stores(PostgresRunStore.open(pool), PostgresSessionStore.open(pool), pool);
        }

        @Override
        public void close() {
            runs.close();
            if (sessions instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            pool.close();
        }
    }
}
