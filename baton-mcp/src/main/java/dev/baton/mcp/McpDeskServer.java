package dev.baton.mcp;

import dev.baton.UserError;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A desk served to MCP clients (an IDE, another agent framework, the MCP Inspector): one tool,
 * {@value #SEND_MESSAGE}, sends a customer's message to the desk on a session and returns the
 * answer, the agent that gave it, and the calls waiting for a person's approval. The session goes
 * on where it left off, with the agent that holds it, on the next message with the same session id.
 *
 * <pre>{@code
 * McpDeskServer server = McpDeskServer.builder("support", (session, message) -> ...).build();
 * server.serve(System.in, System.out).awaitClosed();   // until the client closes the stream
 * }</pre>
 *
 * <p>What a message does is the caller's {@link Desk}: the {@code baton mcp} command runs the
 * example desks' turns as durable runs, so they show in {@code baton runs} and the web UI.
 */
public final class McpDeskServer implements AutoCloseable {
    /** The name of the tool that sends a message to the desk. */
    public static final String SEND_MESSAGE = "send_message";
    private static final Logger LOG = LoggerFactory.getLogger(McpDeskServer.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A call of a tool that waits for a person's decision before it runs. */
    public record PendingCall(String runId, String callId, String agent, String tool, String arguments) {}

    /**
     * What the desk did with a message.
     *
     * @param session the session the message went to (a new one when the client gave none)
     * @param agent the agent that answered, which holds the session now
     * @param answer the answer's text; empty when the run waits for approval
     * @param waiting the calls waiting for a person's approval (decided with {@code baton approvals} or the web UI)
     */
    public record Reply(String session, String agent, String answer, List<PendingCall> waiting) {
        public Reply {
            waiting = List.copyOf(waiting);
        }
    }

    /**
     * The desk does not take this message, for a reason the client should read (a session waiting
     * for approval, an unknown session): an error result with the message, and no warning in the log.
     */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Takes one message on a session (null: start a new one) and returns what the desk made of it;
     * throws {@link Refused} for a message it does not take.
     */
    @FunctionalInterface
    public interface Desk {
        Reply send(@Nullable String session, String message);
    }

    private final String name;
    private final String version;
    private final String description;
    private final Desk desk;
    private final List<Served> served;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile @Nullable McpSyncServer server;

    private McpDeskServer(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.description = b.description;
        this.desk = b.desk;
        this.served = List.copyOf(b.served);
    }

    /** One of the desk's own tools, served as it is: its MCP description and what a call does. */
    private record Served(McpSchema.Tool tool, java.util.function.Function<McpSchema.CallToolRequest, McpSchema.CallToolResult> call) {}

    public static Builder builder(String name, Desk desk) {
        return new Builder(name, desk);
    }

    /**
     * Serves the desk over stdio on these streams (a process's standard input and output, which
     * nothing else may write to), until the client closes {@code in}.
     */
    public McpDeskServer serve(InputStream in, OutputStream out) {
        InputStream watched = new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                return ended(super.read());
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return ended(super.read(b, off, len));
            }

            private int ended(int n) {
                if (n < 0) {
                    closed.countDown();
                }
                return n;
            }
        };
        StdioServerTransportProvider transport = new StdioServerTransportProvider(McpJsonDefaults.getMapper(), watched, out);
        server = McpServer.sync(transport)
                .serverInfo(name, version)
                .instructions(instructions())
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .requestTimeout(Duration.ofMinutes(10))
                .tools(sessionTools())
                .build();
        return this;
    }

    /** Waits until the client closes the stream (or {@link #close()}). */
    public void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        McpSyncServer s = server;
        if (s != null) {
            s.closeGracefully();
        }
        closed.countDown();
    }

    private List<McpServerFeatures.SyncToolSpecification> sessionTools() {
        List<McpServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
        specs.add(McpServerFeatures.SyncToolSpecification.builder().tool(tool()).callHandler((exchange, request) -> call(request)).build());
        for (Served s : served) {
            specs.add(McpServerFeatures.SyncToolSpecification.builder().tool(s.tool()).callHandler((exchange, request) -> s.call().apply(request))
                    .build());
        }
        return specs;
    }

    private List<io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification> statelessTools() {
        List<io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
        specs.add(io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification.builder()
                .tool(tool()).callHandler((context, request) -> call(request)).build());
        for (Served s : served) {
            specs.add(io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification.builder()
                    .tool(s.tool()).callHandler((context, request) -> s.call().apply(request)).build());
        }
        return specs;
    }

    /** A Baton tool called directly, outside any run: its result as text (JSON for anything but a string), a failure as an error result. */
    private static <C> Served served(dev.baton.tool.Tool<C> tool, java.util.function.Supplier<? extends C> context) {
        @SuppressWarnings("unchecked")
        Map<String, Object> schema = JSON.convertValue(tool.parameters(), Map.class);
        McpSchema.Tool described = McpSchema.Tool.builder(tool.name()).description(tool.description()).inputSchema(schema).build();
        return new Served(described, request -> {
            String arguments;
            try {
                arguments = JSON.writeValueAsString(request.arguments() == null ? Map.of() : request.arguments());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return error("the arguments are not JSON: " + e.getOriginalMessage());
            }
            String callId = "mcp_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try {
                Object result = tool.call(new dev.baton.tool.ToolContext<>(dev.baton.run.RunContext.of(context.get()), "mcp", tool.name(), callId,
                        arguments), arguments);
                String text = result instanceof String str ? str : JSON.writeValueAsString(result);
                return McpSchema.CallToolResult.builder().addTextContent(text).build();
            } catch (Exception e) {
                return error(tool.name() + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        });
    }

    private McpSchema.Tool tool() {
        Map<String, Object> input = Map.of("type", "object",
                "properties", Map.of(
                        "message", Map.of("type", "string", "description", "What the customer writes."),
                        "session", Map.of("type", "string", "description",
                                "The session to continue, as an earlier answer returned it; leave it out to start a new one.")),
                "required", List.of("message"));
        Map<String, Object> call = Map.of("type", "object", "properties", Map.of(
                "run_id", Map.of("type", "string"), "call_id", Map.of("type", "string"), "agent", Map.of("type", "string"),
                "tool", Map.of("type", "string"), "arguments", Map.of("type", "string")));
        Map<String, Object> output = Map.of("type", "object",
                "properties", Map.of(
                        "session", Map.of("type", "string"),
                        "agent", Map.of("type", "string"),
                        "answer", Map.of("type", "string"),
                        "waiting_for_approval", Map.of("type", "array", "items", call)),
                "required", List.of("session", "agent", "answer", "waiting_for_approval"));
        return McpSchema.Tool.builder(SEND_MESSAGE)
                .description(description)
                .inputSchema(input)
                .outputSchema(output)
                .build();
    }

    private McpSchema.CallToolResult call(McpSchema.CallToolRequest request) {
        Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
        Object message = args.get("message");
        Object session = args.get("session");
        if (!(message instanceof String text) || text.isBlank()) {
            return error("'message' must be a non-blank string");
        }
        if (session != null && !(session instanceof String)) {
            return error("'session' must be a string");
        }
        try {
            return result(desk.send((String) session, text.strip()));
        } catch (Refused | UserError e) {
            return error(e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("desk '{}': a message failed: {}", name, e.toString());
            return error("the " + name + " desk failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    // ---- Streamable HTTP, stateless

    /** What a web server sends back for one request to the desk's MCP endpoint. */
    public record HttpReply(int status, @Nullable String contentType, byte[] body) {}

    private volatile @Nullable Stateless stateless;

    /**
     * Answers one request to the desk's MCP endpoint over Streamable HTTP, for a web server to call
     * from its route: a JSON-RPC request POSTed gets its JSON response (200), a notification 202. The
     * server is stateless: it keeps no MCP session between requests (the desk's own sessions are
     * the {@code session} argument) and opens no event stream, so a GET is answered 405, as the
     * transport allows.
     */
    public HttpReply handleHttp(String method, byte[] body) {
        if (!method.equals("POST")) {
            return new HttpReply(405, "application/json", jsonRpcError(null, -32000, "Method not allowed: this MCP endpoint takes POST"));
        }
        Stateless s = stateless();
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(McpJsonDefaults.getMapper(), new String(body, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return new HttpReply(400, "application/json", jsonRpcError(null, -32700, "Parse error: the body is not a JSON-RPC message"));
        }
        var context = io.modelcontextprotocol.common.McpTransportContext.EMPTY;
        try {
            if (message instanceof McpSchema.JSONRPCRequest request) {
                McpSchema.JSONRPCResponse response = s.handler.handleRequest(context, request).block();
                return new HttpReply(200, "application/json", McpJsonDefaults.getMapper().writeValueAsBytes(response));
            }
            if (message instanceof McpSchema.JSONRPCNotification notification) {
                s.handler.handleNotification(context, notification).block();
            }
            return new HttpReply(202, null, new byte[0]);
        } catch (IOException | RuntimeException e) {
            LOG.warn("desk '{}': an MCP request failed: {}", name, e.toString());
            return new HttpReply(500, "application/json", jsonRpcError(message instanceof McpSchema.JSONRPCRequest r ? r.id() : null,
                    -32603, "Internal error: " + e.getMessage()));
        }
    }

    private Stateless stateless() {
        Stateless s = stateless;
        if (s == null) {
            synchronized (this) {
                s = stateless;
                if (s == null) {
                    Stateless made = new Stateless();
                    McpServer.sync(made)
                            .serverInfo(name, version)
                            .instructions(instructions())
                            .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                            .tools(statelessTools())
                            .build();
                    stateless = s = made;
                }
            }
        }
        return s;
    }

    /** The SDK's stateless server hands this transport its handler; the web server's requests go to it. */
    private static final class Stateless implements io.modelcontextprotocol.spec.McpStatelessServerTransport {
        private volatile io.modelcontextprotocol.server.McpStatelessServerHandler handler;

        @Override
        public void setMcpHandler(io.modelcontextprotocol.server.McpStatelessServerHandler value) {
            handler = value;
        }

        @Override
        public reactor.core.publisher.Mono<Void> closeGracefully() {
            return reactor.core.publisher.Mono.empty();
        }
    }

    private static byte[] jsonRpcError(@Nullable Object id, int code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("jsonrpc", "2.0");
        error.put("id", id);
        error.put("error", Map.of("code", code, "message", message));
        try {
            return McpJsonDefaults.getMapper().writeValueAsBytes(error);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String instructions() {
        return "Talk to this desk with " + SEND_MESSAGE + ": pass the session id it returns to go on with the same conversation.";
    }

    private static McpSchema.CallToolResult result(Reply reply) {
        List<Map<String, Object>> waiting = new ArrayList<>();
        StringBuilder text = new StringBuilder(reply.answer());
        for (PendingCall c : reply.waiting()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run_id", c.runId());
            m.put("call_id", c.callId());
            m.put("agent", c.agent());
            m.put("tool", c.tool());
            m.put("arguments", c.arguments());
            waiting.add(m);
            text.append(text.isEmpty() ? "" : "\n").append("Waiting for a person to approve ").append(c.tool()).append(' ')
                    .append(c.arguments()).append(" (").append(c.agent()).append(", run ").append(c.runId()).append(')');
        }
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("session", reply.session());
        structured.put("agent", reply.agent());
        structured.put("answer", reply.answer());
        structured.put("waiting_for_approval", waiting);
        return McpSchema.CallToolResult.builder().addTextContent(text.toString()).structuredContent(structured).build();
    }

    private static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().isError(true).addTextContent(message).build();
    }

    /** Configures an {@link McpDeskServer}. */
    public static final class Builder {
        private final String name;
        private final Desk desk;
        private String version = "0.1";
        private String description;
        private final List<Served> served = new ArrayList<>();
        private final java.util.Set<String> names = new java.util.HashSet<>(List.of(SEND_MESSAGE));

        private Builder(String name, Desk desk) {
            if (name == null || name.isBlank()) {
                throw new UserError("An MCP desk server needs a non-blank name");
            }
            this.name = name;
            this.desk = Objects.requireNonNull(desk, "desk");
            this.description = "Sends a customer's message to this support desk and returns its answer, the agent that gave it, "
                    + "and any call waiting for a person's approval. Pass the returned session to continue the conversation.";
        }

        /** The version the server reports to clients. */
        public Builder version(String value) {
            version = Objects.requireNonNull(value, "version");
            return this;
        }

        /** What the {@value McpDeskServer#SEND_MESSAGE} tool tells clients (and their models) the desk is for. */
        public Builder description(String value) {
            description = Objects.requireNonNull(value, "description");
            return this;
        }

        /**
         * The desk's own tools, served too, each called directly with a context from {@code context}:
         * for clients that look things up without a conversation (an invoice, an order). A tool that
         * needs a person's approval or has guardrails is refused here: those checks belong to a run,
         * and the tool is reached through {@value McpDeskServer#SEND_MESSAGE}, where they apply.
         *
         * @throws UserError for such a tool, or for two tools of one name
         */
        public <C> Builder tools(List<? extends dev.baton.tool.Tool<C>> tools, java.util.function.Supplier<? extends C> context) {
            for (dev.baton.tool.Tool<C> t : tools) {
                if (t.approvalPolicy() != null || !t.guardrails().isEmpty()) {
                    throw new UserError("Tool '" + t.name() + "' needs approval or has guardrails: it is served only through "
                            + SEND_MESSAGE + ", where a run applies them");
                }
                if (!names.add(t.name())) {
                    throw new UserError("MCP desk server '" + name + "' already serves a tool named '" + t.name() + "'");
                }
                served.add(served(t, context));
            }
            return this;
        }

        public McpDeskServer build() {
            return new McpDeskServer(this);
        }
    }
}
