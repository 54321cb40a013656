package dev.baton.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A transport that tells its connection when the server says its tools changed, as the message
 * arrives: before the answer to any call that follows it on the stream, so the turn after such a
 * call lists the tools again. (The SDK's own consumer hears of it only after fetching the list anew.)
 */
final class WatchedTransport implements McpClientTransport {
    private static final String TOOLS_CHANGED = "notifications/tools/list_changed";

    private final McpClientTransport inner;
    private final Runnable toolsChanged;

    WatchedTransport(McpClientTransport inner, Runnable toolsChanged) {
        this.inner = inner;
        this.toolsChanged = toolsChanged;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return inner.connect(incoming -> handler.apply(incoming.doOnNext(message -> {
            if (message instanceof McpSchema.JSONRPCNotification n && TOOLS_CHANGED.equals(n.method())) {
                toolsChanged.run();
            }
        })));
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        inner.setExceptionHandler(handler);
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public Mono<Void> closeGracefully() {
        return inner.closeGracefully();
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return inner.sendMessage(message);
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
        return inner.unmarshalFrom(data, type);
    }

    @Override
    public List<String> protocolVersions() {
        return inner.protocolVersions();
    }
}
