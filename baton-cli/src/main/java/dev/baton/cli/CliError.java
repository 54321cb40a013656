package dev.baton.cli;

/**
 * A problem the user can fix (an unknown desk, session or run, a database that cannot be opened),
 * reported as one line on the error stream with a non-zero exit code, without a stack trace.
 */
final class CliError extends RuntimeException {
    static final int USAGE = 2;
    static final int FAILED = 1;

    private final int exitCode;

    CliError(String message) {
        this(message, USAGE, null);
    }

    CliError(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
