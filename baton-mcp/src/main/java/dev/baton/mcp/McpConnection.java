package dev.baton.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session with one MCP server: started on first use, its tool list cached and replaced when the
 * server says it changed, and started again on the next use after it failed (a stdio server is
 * started anew, an HTTP server connected to again).
 */
final class McpConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpConnection.class);

    private final String server;
    private final Supplier<McpClientTransport> transports;
    private final Duration callTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private @Nullable McpSyncClient client;
    private volatile @Nullable List<McpSchema.Tool> tools;
    /** The server said its tools changed, and the list here has not been fetched since. */
    private volatile boolean stale;
    private volatile boolean closed;

    McpConnection(String server, Supplier<McpClientTransport> transports, Duration callTimeout) {
        this.server = server;
        this.transports = transports;
        this.callTimeout = callTimeout;
    }

    /** The server's tools, from the cache when the session is up; starting the session when it is not. */
    List<McpSchema.Tool> tools() {
        List<McpSchema.Tool> cached = tools;
        if (cached != null && !stale) {
            return cached;
        }
        lock.lock();
        try {
            if (tools == null || stale) {
                McpSyncClient c = connected();
                stale = false; // a change announced while listing marks it stale again
                try {
                    tools = listAll(c);
                } catch (RuntimeException e) {
                    drop(c);
                    throw failure("did not list its tools", e);
                }
            }
            return tools;
        } finally {
            lock.unlock();
        }
    }

    /** Calls a tool; an error result comes back as a result, a failure of the session as an exception naming the server. */
    McpSchema.CallToolResult call(String tool, Map<String, Object> arguments) {
        McpSyncClient c;
        lock.lock();
        try {
            c = connected();
        } finally {
            lock.unlock();
        }
        try {
            return c.callTool(new McpSchema.CallToolRequest(tool, arguments));
        } catch (McpError e) {
            if (e.getJsonRpcError() == null || !StdioTransport.EXITED.equals(e.getJsonRpcError().data())) {
                throw failure("refused the call of tool '" + tool + "'", e);
            }
            dropLocked(c); // the process is gone: the next use starts it again
            throw new McpServerException(server, e.getJsonRpcError().message() + ", in the call of tool '" + tool + "'", e);
        } catch (RuntimeException e) {
            dropLocked(c); // hung or gone: the next use starts a new session
            throw failure("failed in the call of tool '" + tool + "'", e);
        }
    }

    private McpSyncClient connected() {
        if (closed) {
            throw new McpServerException(server, "MCP server '" + server + "' is closed", new IllegalStateException("closed"));
        }
        McpSyncClient c = client;
        if (c != null) {
            return c;
        }
        McpSyncClient made;
        try {
            made = McpClient.sync(new WatchedTransport(transports.get(), () -> stale = true))
                    .clientInfo(new McpSchema.Implementation("baton", "0.1"))
                    .requestTimeout(callTimeout)
                    .initializationTimeout(callTimeout)
                    .toolsChangeConsumer(this::changed)
                    .build();
        } catch (RuntimeException e) {
            throw failure("could not be started", e);
        }
        try {
            made.initialize();
        } catch (RuntimeException e) {
            closeQuietly(made);
            throw failure("could not start a session", e);
        }
        client = made;
        return made;
    }

    /** The server's list-changed notification, with the list the SDK fetched again. */
    private void changed(List<McpSchema.Tool> fresh) {
        LOG.debug("MCP server '{}' changed its tools: {} now", server, fresh.size());
        tools = List.copyOf(fresh);
    }

    private static List<McpSchema.Tool> listAll(McpSyncClient c) {
        List<McpSchema.Tool> all = new ArrayList<>();
        String cursor = null;
        do {
            McpSchema.ListToolsResult page = cursor == null ? c.listTools() : c.listTools(cursor);
            all.addAll(page.tools());
            cursor = page.nextCursor();
        } while (cursor != null);
        return List.copyOf(all);
    }

    private void dropLocked(McpSyncClient c) {
        lock.lock();
        try {
            drop(c);
        } finally {
            lock.unlock();
        }
    }

    private void drop(McpSyncClient c) {
        if (client == c) {
            client = null;
            tools = null;
        }
        closeQuietly(c);
    }

    private McpServerException failure(String what, Throwable e) {
        return new McpServerException(server, "MCP server '" + server + "' " + what + ": " + describe(e), e);
    }

    /** The most telling message in the cause chain, the deepest: a timeout says how long it waited. */
    private String describe(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException) {
                return "no answer within " + callTimeout.toMillis() + " ms";
            }
        }
        String deepest = null; // the SDK wraps the telling message ("exited with code 1", "Cannot run program") in its own
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                deepest = c.getMessage();
            }
        }
        return deepest == null ? e.getClass().getSimpleName() : deepest;
    }

    private void closeQuietly(McpSyncClient c) {
        try {
            if (!c.closeGracefully()) {
                c.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("closing the session with MCP server '{}' failed: {}", server, e.toString());
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            McpSyncClient c = client;
            client = null;
            tools = null;
            if (c != null) {
                closeQuietly(c);
            }
        } finally {
            lock.unlock();
        }
    }
}
