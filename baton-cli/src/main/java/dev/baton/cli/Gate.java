package dev.baton.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The process's standard output and error, closed to every thread but one once the command is
 * stopped (Ctrl-C): while the JVM shuts down, the command's own threads see their run stop and
 * their store close, and what they would print about it (a failure, a stack trace) is not what
 * happened. The thread that stops the command says what did, alone.
 */
final class Gate extends FilterOutputStream {
    private static volatile boolean shut;
    private static volatile Thread speaker;

    Gate(OutputStream out) {
        super(out);
    }

    /** From now on only the calling thread's output gets through. */
    static void shut() {
        speaker = Thread.currentThread();
        shut = true;
    }

    private static boolean open() {
        return !shut || Thread.currentThread() == speaker;
    }

    @Override
    public void write(int b) throws IOException {
        if (open()) {
            out.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (open()) {
            out.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        if (open()) {
            out.flush();
        }
    }
}
