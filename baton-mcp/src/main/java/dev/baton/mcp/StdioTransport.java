package dev.baton.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A stdio server's process, started and watched here: newline-delimited JSON-RPC on its standard
 * input and output, its standard error kept for messages. Unlike a transport that only reads, it
 * knows when the process ends: every request still waiting is answered at once with an error that
 * says the server exited, with its exit code and the last lines it wrote to standard error, instead
 * of waiting out its timeout.
 */
final class StdioTransport implements McpClientTransport {
    private static final Logger LOG = LoggerFactory.getLogger(StdioTransport.class);
    private static final int STDERR_LINES = 10;
    /** JSON-RPC's code for a server error that is not one of the protocol's own. */
    private static final int SERVER_ERROR = -32000;
    /** The data of the error that answers a request the exited process left waiting. */
    static final String EXITED = "baton: server exited";

    private final String server;
    private final List<String> command;
    private final Map<String, String> env;
    private final McpJsonMapper json;
    private final Set<Object> waiting = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<String> lastErrors = new ArrayDeque<>();
    private volatile @Nullable Process process;
    private volatile @Nullable OutputStream stdin;
    private volatile @Nullable Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler;
    private volatile boolean closing;
    private volatile @Nullable String notStarted;
    private volatile @Nullable Thread outReader;
    private volatile @Nullable Thread errReader;

    StdioTransport(String server, List<String> command, Map<String, String> env, McpJsonMapper json) {
        this.server = server;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.json = json;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return Mono.fromRunnable(() -> start(handler));
    }

    private void start(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> h) {
        this.handler = h;
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            notStarted = "its command " + command + " could not be started: " + e.getMessage();
            throw new IllegalStateException(notStarted, e);
        }
        process = p;
        stdin = p.getOutputStream();
        outReader = Thread.ofVirtual().name("mcp-" + server + "-out").start(() -> readMessages(p));
        errReader = Thread.ofVirtual().name("mcp-" + server + "-err").start(() -> readErrors(p));
        p.onExit().thenAcceptAsync(this::exited, task -> Thread.ofVirtual().name("mcp-" + server + "-exit").start(task));
    }

    private void readMessages(Process p) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                McpSchema.JSONRPCMessage message;
                try {
                    message = McpSchema.deserializeJsonRpcMessage(json, line);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("MCP server '{}' wrote a line that is not JSON-RPC, skipped: {}", server, abbreviate(line));
                    continue;
                }
                if (message instanceof McpSchema.JSONRPCResponse r) {
                    waiting.remove(r.id());
                }
                deliver(message);
            }
        } catch (IOException e) {
            if (!closing) {
                LOG.debug("reading MCP server '{}' ended: {}", server, e.toString());
            }
        }
    }

    private void readErrors(Process p) {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                LOG.debug("MCP server '{}': {}", server, line);
                synchronized (lastErrors) {
                    lastErrors.addLast(line);
                    if (lastErrors.size() > STDERR_LINES) {
                        lastErrors.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("reading the errors of MCP server '{}' ended: {}", server, e.toString());
        }
    }

    /**
     * Answers every request still waiting: the process that would have answered is gone. First the
     * readers finish what the process wrote before it ended (an answer it sent just before exiting
     * is delivered, not replaced by an error; its last error lines are kept).
     */
    private void exited(Process p) {
        if (closing) {
            return;
        }
        finish(outReader);
        finish(errReader);
        String why = "MCP server '" + server + "' exited with code " + p.exitValue() + lastWords();
        LOG.warn("{}", why);
        for (Object id : List.copyOf(waiting)) {
            if (waiting.remove(id)) {
                deliver(new McpSchema.JSONRPCResponse(McpSchema.JSONRPC_VERSION, id, null,
                        new McpSchema.JSONRPCResponse.JSONRPCError(SERVER_ERROR, why, EXITED)));
            }
        }
    }

    private static void finish(@Nullable Thread reader) {
        if (reader == null) {
            return;
        }
        try {
            reader.join(Duration.ofSeconds(2)); // a descendant that keeps the pipe open does not hold this up longer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String lastWords() {
        synchronized (lastErrors) {
            return lastErrors.isEmpty() ? "" : "; it last wrote: " + String.join(" | ", lastErrors);
        }
    }

    private void deliver(McpSchema.JSONRPCMessage message) {
        var h = handler;
        if (h != null) {
            h.apply(Mono.just(message)).subscribe(reply -> { }, e -> LOG.debug("MCP server '{}': handling a message failed: {}", server, e.toString()));
        }
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return Mono.fromRunnable(() -> {
            Process p = process;
            OutputStream in = stdin;
            if (p == null || in == null || !p.isAlive()) {
                String why = notStarted != null ? notStarted : p == null ? "not started" : "exited with code " + p.exitValue() + lastWords();
                throw new IllegalStateException("MCP server '" + server + "' is not running: " + why);
            }
            if (message instanceof McpSchema.JSONRPCRequest r) {
                waiting.add(r.id());
            }
            try {
                byte[] line = (json.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
                synchronized (this) {
                    in.write(line);
                    in.flush();
                }
            } catch (IOException e) {
                if (message instanceof McpSchema.JSONRPCRequest r) {
                    waiting.remove(r.id());
                }
                throw new IllegalStateException("MCP server '" + server + "' could not be written to: " + e.getMessage(), e);
            }
        });
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(this::close);
    }

    /** Closes the server's input, which ends a well-behaved server; one that goes on is ended after 2 s. */
    @Override
    public void close() {
        closing = true;
        Process p = process;
        if (p == null) {
            return;
        }
        try {
            OutputStream in = stdin;
            if (in != null) {
                in.close();
            }
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        } catch (IOException e) {
            p.destroyForcibly();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
        return json.convertValue(data, type);
    }

    private static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }
}
