package dev.baton.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.guardrail.ToolGuardrail;
import dev.baton.run.RunContext;
import dev.baton.schema.InvalidArgumentsException;
import dev.baton.tool.ApprovalPolicy;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolAnswer;
import dev.baton.tool.ToolFailureMode;
import dev.baton.tool.ToolProvider;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tools of one Model Context Protocol server, for agents to use like their own: give it to
 * {@link Agent.Builder#toolProviders}. The server is a command Baton starts and stops (stdio) or an
 * address it connects to (Streamable HTTP), on first use.
 *
 * <pre>{@code
 * McpToolProvider tickets = McpToolProvider.stdio("tickets", "node", "tickets-server.js")
 *         .allow("find_ticket", "add_note")     // only these of its tools
 *         .prefix("tickets_")                   // so they cannot collide with another server's
 *         .requireApproval("add_note")          // a person approves each call
 *         .build();
 * Agent<Support> technical = Agent.<Support>builder("technical").toolProviders(tickets).build();
 * }</pre>
 *
 * <p>The tool list is asked once and kept; the server's list-changed notification replaces it, so a
 * turn sees the server's tools as they are. The schemas go to the model as the server wrote them,
 * strict where they already are. A call's text, structured content and embedded text resources go
 * to the model, and images as images; audio and binary resources are named. An error result, a call
 * past {@link Builder#callTimeout}, or a server that went away is a tool error the model reads (or
 * fails the run, with {@link ToolFailureMode#RAISE}); the next turn starts the server again. Calls
 * go through approvals, guardrails, tracing and a durable run's journal like any tool's, so a
 * replayed run reads a recorded result instead of calling the server again.
 *
 * <p>Close it when done: that ends a stdio server's process.
 */
public final class McpToolProvider implements ToolProvider<Object>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpToolProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ARGUMENTS = new TypeReference<>() {};

    private final String name;
    private final String target;
    private final McpConnection connection;
    private final Set<String> allow;
    private final Set<String> deny;
    private final @Nullable McpToolFilter filter;
    private final String prefix;
    private final boolean structuredFirst;
    private final Set<String> approval;
    private final @Nullable ApprovalPolicy<Object> approvalPolicy;
    private final List<ToolGuardrail<Object>> guardrails;
    private final ToolFailureMode failureMode;
    private volatile @Nullable Offer offer;

    /** The tools made from one list the server gave, kept until it gives another. */
    private record Offer(List<McpSchema.Tool> listed, List<Offered> tools) {}

    private record Offered(McpTool info, Tool<Object> tool) {}

    private McpToolProvider(Builder b, Supplier<McpClientTransport> transports) {
        this.name = b.name;
        this.target = b.identity != null ? "server:" + b.identity : b.target;
        this.connection = new McpConnection(b.name, transports, b.callTimeout);
        this.allow = Set.copyOf(b.allow);
        this.deny = Set.copyOf(b.deny);
        this.filter = b.filter;
        this.prefix = b.prefix;
        this.structuredFirst = b.structuredFirst;
        this.approval = Set.copyOf(b.approval);
        this.approvalPolicy = b.approvalPolicy;
        this.guardrails = List.copyOf(b.guardrails);
        this.failureMode = b.failureMode;
    }

    /**
     * A server Baton starts as {@code command args...} and talks to over its standard input and
     * output. {@code name} names it in errors and traces, and tells two servers of an agent apart.
     */
    public static Builder stdio(String name, String command, String... args) {
        Objects.requireNonNull(command, "command");
        List<String> arguments = List.of(args);
        Builder b = new Builder(name, "stdio:" + command + " " + String.join(" ", arguments));
        b.command = command;
        b.args = arguments;
        return b;
    }

    /** A server at {@code url} (its MCP endpoint, e.g. {@code http://127.0.0.1:3001/mcp}), over Streamable HTTP. */
    public static Builder http(String name, String url) {
        URI uri = URI.create(Objects.requireNonNull(url, "url"));
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            throw new UserError("MCP server '" + name + "': '" + url + "' is not an http or https address");
        }
        Builder b = new Builder(name, "http:" + url);
        b.url = uri;
        return b;
    }

    @Override
    public String name() {
        return name;
    }

    /** The server, the tools kept and how they are named: not the tools the server lists now. */
    @Override
    public String fingerprint() {
        return target + " allow=" + new java.util.TreeSet<>(allow) + " deny=" + new java.util.TreeSet<>(deny) + " prefix=" + prefix;
    }

    @Override
    public List<Tool<Object>> tools(RunContext<Object> context, Agent<Object> agent) {
        Offer current = current();
        List<Tool<Object>> out = new ArrayList<>(current.tools().size());
        for (Offered o : current.tools()) {
            if (filter == null || filter.test(context, o.info())) {
                out.add(o.tool());
            }
        }
        return out;
    }

    /** Every tool the server lists now, before the allow and deny lists and the filter. */
    public List<McpTool> listTools() {
        return connection.tools().stream().map(this::info).toList();
    }

    /** Ends the session with the server; a stdio server's process ends with it. */
    @Override
    public void close() {
        connection.close();
    }

    private Offer current() {
        List<McpSchema.Tool> listed = connection.tools();
        Offer o = offer;
        if (o != null && o.listed() == listed) {
            return o;
        }
        Offer made = new Offer(listed, build(listed));
        offer = made;
        return made;
    }

    private List<Offered> build(List<McpSchema.Tool> listed) {
        Map<String, String> names = new HashMap<>();
        List<Offered> out = new ArrayList<>();
        for (McpSchema.Tool t : listed) {
            if ((!allow.isEmpty() && !allow.contains(t.name())) || deny.contains(t.name())) {
                continue;
            }
            String offered = McpSchemas.offeredName(prefix, t.name());
            String before = names.putIfAbsent(offered, t.name());
            if (before != null) {
                throw new UserError("MCP server '" + name + "' has tools '" + before + "' and '" + t.name() + "', both offered as '"
                        + offered + "': deny one of them");
            }
            if (offered.length() > 64) {
                LOG.warn("MCP server '{}': tool '{}' is not offered, its name '{}' is longer than 64 characters", name, t.name(), offered);
                continue;
            }
            McpTool info = info(t);
            out.add(new Offered(info, tool(info, offered)));
        }
        return List.copyOf(out);
    }

    private McpTool info(McpSchema.Tool t) {
        McpSchema.ToolAnnotations a = t.annotations();
        return new McpTool(name, t.name(), t.description() == null ? "" : t.description(), McpSchemas.input(t.inputSchema()),
                McpSchemas.output(t.outputSchema()), a != null && Boolean.TRUE.equals(a.readOnlyHint()),
                a != null && Boolean.TRUE.equals(a.destructiveHint()));
    }

    private Tool<Object> tool(McpTool info, String offered) {
        Tool<Object> tool = Tool.<Object>builder(offered)
                .description(info.description())
                .parameters(info.inputSchema())
                .strict(McpSchemas.strictAsIs(info.inputSchema()))
                .invoker((ctx, json) -> call(info.name(), json))
                .failureMode(failureMode)
                .build();
        if (approval.contains(info.name())) {
            tool = tool.requiringApproval();
        } else if (approvalPolicy != null) {
            tool = tool.requiringApproval(approvalPolicy);
        }
        if (!guardrails.isEmpty()) {
            @SuppressWarnings("unchecked")
            ToolGuardrail<Object>[] all = guardrails.toArray(new ToolGuardrail[0]);
            tool = tool.withGuardrails(all);
        }
        return tool;
    }

    private Object call(String tool, String argumentsJson) throws Exception {
        Map<String, Object> arguments;
        try {
            arguments = argumentsJson == null || argumentsJson.isBlank() ? Map.of() : JSON.readValue(argumentsJson, ARGUMENTS);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentsException("the arguments are not a JSON object: " + e.getOriginalMessage(), argumentsJson, e);
        }
        McpSchema.CallToolResult result = connection.call(tool, arguments == null ? Map.of() : arguments);
        if (Boolean.TRUE.equals(result.isError())) {
            throw new McpToolError(name, tool, McpResults.text(result));
        }
        ToolAnswer answer = McpResults.answer(result, structuredFirst);
        return answer.images().isEmpty() ? answer.text() : answer;
    }

    /** A tool's own error result: the message is the server's text, which the model reads. */
    static final class McpToolError extends RuntimeException {
        McpToolError(String server, String tool, String text) {
            super(text.isBlank() ? "MCP server '" + server + "' reported an error from tool '" + tool + "'" : text);
        }
    }

    /** Configures an {@link McpToolProvider}; {@link #build()} checks nothing with the server, which starts on first use. */
    public static final class Builder {
        private final String name;
        private final String target;
        private @Nullable String identity;
        private @Nullable String command;
        private List<String> args = List.of();
        private final Map<String, String> env = new LinkedHashMap<>();
        private @Nullable URI url;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration callTimeout = Duration.ofSeconds(60);
        private final Set<String> allow = new LinkedHashSet<>();
        private final Set<String> deny = new LinkedHashSet<>();
        private @Nullable McpToolFilter filter;
        private String prefix = "";
        private boolean structuredFirst;
        private final Set<String> approval = new LinkedHashSet<>();
        private @Nullable ApprovalPolicy<Object> approvalPolicy;
        private final List<ToolGuardrail<Object>> guardrails = new ArrayList<>();
        private ToolFailureMode failureMode = ToolFailureMode.REPORT_TO_MODEL;

        private Builder(String name, String target) {
            if (name == null || name.isBlank()) {
                throw new UserError("An MCP server needs a non-blank name");
            }
            this.name = name;
            this.target = target;
        }

        /** Environment variables for a stdio server's process, added to the ones Baton's process has. */
        public Builder env(Map<String, String> values) {
            requireStdio("env");
            env.putAll(values);
            return this;
        }

        /** A header sent with every request to an HTTP server, e.g. {@code Authorization}. */
        public Builder header(String header, String value) {
            if (url == null) {
                throw new UserError("MCP server '" + name + "': headers are for HTTP servers; a stdio server takes env(...)");
            }
            headers.put(Objects.requireNonNull(header, "header"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long a call (and the server's start) may take before it is a tool error; 60 s by default. */
        public Builder callTimeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new UserError("MCP server '" + name + "': the call timeout must be positive, got " + value);
            }
            callTimeout = value;
            return this;
        }

        /** Only these of the server's tools (by their names on the server) are offered. */
        public Builder allow(String... tools) {
            allow.addAll(List.of(tools));
            return this;
        }

        /** These of the server's tools are never offered. */
        public Builder deny(String... tools) {
            deny.addAll(List.of(tools));
            return this;
        }

        /** Decides on every turn which tools are offered, from the run and what the server says of each tool. */
        public Builder filter(McpToolFilter value) {
            filter = Objects.requireNonNull(value, "filter");
            return this;
        }

        /**
         * Names the server in the agent's fingerprint instead of its command line or address. Give one
         * when those differ between the processes that run the agent (an absolute path, a class path,
         * a host per region): a paused or durable run goes on in another process only with an agent of
         * the same fingerprint. The allow and deny lists and the prefix still count.
         */
        public Builder fingerprint(String identity) {
            if (Objects.requireNonNull(identity, "identity").isBlank()) {
                throw new UserError("MCP server '" + name + "': a fingerprint identity must not be blank");
            }
            this.identity = identity;
            return this;
        }

        /**
         * Put before every tool name the model sees (the server's name of the tool is what is called),
         * so that two servers' {@code search} tools can be offered to one agent.
         */
        public Builder prefix(String value) {
            prefix = Objects.requireNonNull(value, "prefix");
            return this;
        }

        /** The model reads a result's structured content as JSON when it has some, instead of its text. */
        public Builder preferStructuredContent() {
            structuredFirst = true;
            return this;
        }

        /** A person approves every call of these tools (by their names on the server) before it is made. */
        public Builder requireApproval(String... tools) {
            approval.addAll(List.of(tools));
            return this;
        }

        /** Every other tool of the server asks this policy whether a call needs a person's approval. */
        public Builder requireApproval(ApprovalPolicy<Object> policy) {
            approvalPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Checks run on every call of the server's tools, before and after it. */
        @SafeVarargs
        public final Builder guardrails(ToolGuardrail<Object>... values) {
            guardrails.addAll(List.of(values));
            return this;
        }

        /** Whether a failed call is shown to the model (the default) or fails the run. */
        public Builder failureMode(ToolFailureMode value) {
            failureMode = Objects.requireNonNull(value, "failureMode");
            return this;
        }

        public McpToolProvider build() {
            Supplier<McpClientTransport> transports;
            if (command != null) {
                String cmd = command;
                List<String> a = args;
                Map<String, String> e = Map.copyOf(env);
                List<String> full = new ArrayList<>();
                full.add(cmd);
                full.addAll(a);
                transports = () -> new StdioTransport(name, full, e, McpJsonDefaults.getMapper());
            } else {
                URI u = Objects.requireNonNull(url);
                Map<String, String> h = Map.copyOf(headers);
                String base = u.getScheme() + "://" + u.getRawAuthority();
                String endpoint = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/mcp" : u.getRawPath()
                        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
                Duration connect = callTimeout;
                transports = () -> HttpClientStreamableHttpTransport.builder(base)
                        .endpoint(endpoint)
                        .connectTimeout(connect)
                        .httpRequestCustomizer((request, method, uri, body, context) -> h.forEach(request::header))
                        .build();
            }
            return new McpToolProvider(this, transports);
        }

        private void requireStdio(String what) {
            if (command == null) {
                throw new UserError("MCP server '" + name + "': " + what + " is for stdio servers; an HTTP server takes header(...)");
            }
        }
    }
}
