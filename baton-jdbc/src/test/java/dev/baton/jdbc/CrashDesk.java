package dev.baton.jdbc;

import dev.baton.agent.Agent;
import dev.baton.durable.RunStore;
import dev.baton.hook.RunHooks;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunContext;
import dev.baton.session.SessionStore;
import dev.baton.tool.Tool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The refund desk the crash tests run in child JVMs: triage hands "refund O-1 150" to refunds,
 * which calls {@code issue_refund} (approval needed above $200) and reports its output. Every
 * model call and every tool invocation is appended to a log file in the test's directory, so the
 * parent can count repeats across processes; the refund ledger deduplicates by the call's
 * idempotency key. A crash point makes the process stop still (for a {@code kill -9}) after its
 * n-th model call was recorded, or in the middle of its n-th tool call after the side effect.
 */
final class CrashDesk {
    private static final Pattern ASK = Pattern.compile("refund (\\S+) (\\d+)");
    private final Path dir;
    private final String crashPoint;
    private final int crashAt;
    private final int modelDelayMillis;
    private final AtomicInteger modelCalls = new AtomicInteger();
    private final AtomicInteger toolCalls = new AtomicInteger();
    private final long pid = ProcessHandle.current().pid();

    record Refund(String orderId, int amount) {}

    /** @param crash {@code none}, {@code after-model:N} or {@code in-tool:N} */
    CrashDesk(Path dir, String crash, int modelDelayMillis) {
        this.dir = dir;
        String[] parts = crash.split(":");
        this.crashPoint = parts[0];
        this.crashAt = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        this.modelDelayMillis = modelDelayMillis;
    }

    /** Opens the stores a spec names: {@code sqlite:<file>} or {@code postgres:<url>|<user>|<password>}. */
    static Stores open(String spec) {
        if (spec.startsWith("sqlite:")) {
            Path file = Path.of(spec.substring("sqlite:".length()));
            return new Stores(SqliteRunStore.open(file), SqliteSessionStore.open(file));
        }
        String[] p = spec.substring("postgres:".length()).split("\\|", -1);
        return new Stores(PostgresRunStore.open(p[0], p[1], p[2]), PostgresSessionStore.open(p[0], p[1], p[2]));
    }

    record Stores(RunStore runs, SessionStore sessions) implements AutoCloseable {
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
        }
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
            log("model.log", "model " + pid + " " + order(request) + "#" + request.input().size());
            modelCalls.incrementAndGet();
            return answer(request);
        };
    }

    /** Stops still after the n-th model call of this process has been journaled (hooks run after the journal). */
    RunHooks<Void> hooks() {
        return new RunHooks<>() {
            private final AtomicInteger ended = new AtomicInteger();
            private final ThreadLocal<String> calling = new ThreadLocal<>();

            @Override
            public void onModelStart(RunContext<Void> context, Agent<Void> agent, ModelRequest request) {
                calling.set(order(request) + "#" + request.input().size());
            }

            @Override
            public void onModelEnd(RunContext<Void> context, Agent<Void> agent, ModelResponse response) {
                if (crashPoint.equals("after-model") && ended.incrementAndGet() == crashAt) {
                    log("stopped-at", calling.get());
                    stopStill();
                }
            }
        };
    }

    Agent<Void> triage() {
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an order.", Refund.class, (ctx, r) -> {
            String key = ctx.idempotencyKey();
            log("invocations.log", "invoke " + pid + " " + key + " " + r.orderId());
            synchronized (CrashDesk.class) {
                Path ledger = dir.resolve("ledger.log");
                boolean seen = Files.exists(ledger) && Files.readAllLines(ledger).stream().anyMatch(l -> l.startsWith(key + " "));
                if (!seen) {
                    log("ledger.log", key + " " + r.orderId() + " " + r.amount());
                }
            }
            if (crashPoint.equals("in-tool") && toolCalls.incrementAndGet() == crashAt) {
                stopStill();
            }
            return "refunded $" + r.amount() + " for " + r.orderId();
        }).requiringApproval((ctx, args) -> amount(args) > 200);
        Agent<Void> refunds = Agent.<Void>builder("refunds").instructions("Issue refunds with issue_refund, then report.")
                .tools(refund).build();
        return Agent.<Void>builder("triage").instructions("Route refund requests.").handoffs(refunds).build();
    }

    static String expectedOutput(String order, int amount) {
        return "\"Done: refunded $" + amount + " for " + order + "\"";
    }

    private void stopStill() {
        log("ready", "stopped " + pid);
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void log(String file, String line) {
        try {
            Files.writeString(dir.resolve(file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelResponse answer(ModelRequest request) {
        Item last = request.lastInput();
        List<Item> out;
        if (request.agent().equals("triage")) {
            out = List.of(new ToolCall("call_h" + request.input().size(), "transfer_to_refunds", "{}"));
        } else if (last instanceof ToolOutput o && o.callId().startsWith("call_r")) {
            out = List.of(Message.assistant("Done: " + o.output()));
        } else {
            Matcher m = ASK.matcher(firstUserText(request));
            out = m.find()
                    ? List.of(new ToolCall("call_r" + request.input().size(), "issue_refund",
                            "{\"order_id\":\"" + m.group(1) + "\",\"amount\":" + m.group(2) + "}"))
                    : List.of(Message.assistant("Which order?"));
        }
        return new ModelResponse(out, Usage.of(20, 5));
    }

    static String order(ModelRequest request) {
        Matcher m = ASK.matcher(firstUserText(request));
        return m.find() ? m.group(1) : "?";
    }

    private static String firstUserText(ModelRequest request) {
        for (Item i : request.input()) {
            if (i instanceof Message msg && msg.role() == Message.Role.USER) {
                return msg.text();
            }
        }
        return "";
    }

    private static int amount(String args) {
        Matcher m = Pattern.compile("\"amount\":(\\d+)").matcher(args);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
