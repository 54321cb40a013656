package dev.baton.jdbc;

import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.session.SessionStore;
import dev.baton.tool.Tool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A child JVM of {@link SharedSessionTest}: a chat process that, on two threads, runs
 * {@code runs} refund requests on one shared session. Arguments: {@code <store> <dir> <name> <runs>},
 * the store as {@code sqlite:<file>} or {@code postgres:<url>|<user>|<password>}. It creates
 * {@code ready-<pid>} in {@code dir} once its store is open, and starts once the file {@code go} exists there. Each refund appends a
 * line to {@code refunds.log}. Its model checks every history it is shown as a real one would:
 * complete turns, no two user messages in a row, no call id twice; it fails the run otherwise.
 */
public final class SessionChatChild {
    private SessionChatChild() {}

    record Refund(String invoice) {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        String name = args[2];
        int runs = Integer.parseInt(args[3]);
        SessionStore store = open(args[0]);
        try {
            Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an invoice.", Refund.class, (ctx, r) -> {
                append(dir.resolve("refunds.log"), r.invoice() + " " + ProcessHandle.current().pid());
                return "refunded " + r.invoice();
            });
            Agent<Void> agent = Agent.<Void>builder("billing").instructions("Refund what the customer asks.").tools(refund).build();
            Runner runner = Runner.create(RunConfig.builder().defaultModel(strictModel()).sessionStore(store).build());
            Files.createFile(dir.resolve("ready-" + ProcessHandle.current().pid()));
            while (!Files.exists(dir.resolve("go"))) {
                Thread.sleep(5);
            }
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int thread = t;
                    done.add(threads.submit(() -> {
                        for (int i = thread; i < runs; i += 2) {
                            String invoice = "INV-" + name + "-" + i;
                            Object out = runner.run(agent, "refund " + invoice, RunOptions.session("chat")).finalOutput();
                            if (!("Refunded " + invoice + ".").equals(out)) {
                                throw new AssertionError("run for " + invoice + " answered " + out);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            System.out.println("done");
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            System.exit(1);
        } finally {
            if (store instanceof AutoCloseable c) {
                c.close();
            }
        }
        System.exit(0);
    }

    static SessionStore open(String spec) {
        if (spec.startsWith("sqlite:")) {
            return SqliteSessionStore.open(Path.of(spec.substring("sqlite:".length())));
        }
        String[] p = spec.substring("postgres:".length()).split("\\|", -1);
        return PostgresSessionStore.open(p[0], p[1], p[2]);
    }

    /** Asks for the refund the last user message names, then reports it; refuses a history a real model would reject. */
    static Model strictModel() {
        return request -> {
            List<Item> input = request.input();
            String problem = malformed(input);
            if (problem != null) {
                throw new IllegalStateException("invalid conversation: " + problem);
            }
            Item last = input.get(input.size() - 1);
            Item out;
            if (last instanceof Message m && m.role() == Message.Role.USER) {
                String invoice = m.text().substring("refund ".length());
                out = new ToolCall("call_" + invoice, "issue_refund", "{\"invoice\":\"" + invoice + "\"}");
            } else if (last instanceof ToolOutput o) {
                out = Message.assistant("Refunded " + o.callId().substring("call_".length()) + ".");
            } else {
                throw new IllegalStateException("invalid conversation: it ends with " + last);
            }
            return new ModelResponse(List.of(out), Usage.of(10, 2));
        };
    }

    /** What is wrong with a history: a user message after a user message, a call id twice, an output without its call. */
    static String malformed(List<Item> items) {
        Set<String> calls = new HashSet<>();
        Set<String> outputs = new HashSet<>();
        Item previous = null;
        for (Item item : items) {
            if (item instanceof Message m && m.role() == Message.Role.USER
                    && previous instanceof Message p && p.role() == Message.Role.USER) {
                return "two user messages in a row: '" + p.text() + "', '" + m.text() + "'";
            }
            if (item instanceof Message m && m.role() == Message.Role.USER && previous instanceof ToolCall c) {
                return "call " + c.callId() + " has no output before the next user message";
            }
            if (item instanceof ToolCall c && !calls.add(c.callId())) {
                return "call id " + c.callId() + " twice";
            }
            if (item instanceof ToolOutput o && (!calls.contains(o.callId()) || !outputs.add(o.callId()))) {
                return "output of call " + o.callId() + " without its call, or twice";
            }
            previous = item;
        }
        return null;
    }

    private static synchronized void append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
