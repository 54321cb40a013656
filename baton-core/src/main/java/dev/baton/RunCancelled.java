package dev.baton;

/** The run was cancelled (its stream closed or its future cancelled) before it finished. */
public final class RunCancelled extends BatonException {
    public RunCancelled(String message) {
        super(message);
    }
}
