package dev.baton.runtime;

import java.util.concurrent.CompletableFuture;

/** Typed views of reply futures that still cancel the send they came from. */
final class Futures {

    private Futures() {}

    static <R> CompletableFuture<R> typed(CompletableFuture<Object> reply, Class<R> replyType) {
        CompletableFuture<R> typed = reply.thenApply(r -> {
            if (r != null && !replyType.isInstance(r)) {
                throw new ClassCastException("the reply is a " + r.getClass().getName() + ", not a " + replyType.getName());
            }
            return replyType.cast(r);
        });
        typed.whenComplete((r, e) -> {
            if (typed.isCancelled()) {
                reply.cancel(false);
            }
        });
        return typed;
    }
}
