package dev.baton.cli;

/**
 * How the command is named in the commands it prints for the user to type next: {@code ./baton},
 * the way the README runs it from a clone, unless the environment variable {@value #ENV} (which the
 * launcher sets to the path it was invoked as) says otherwise. A bare {@code baton} is never
 * printed: it is not on the {@code PATH} of a clone.
 */
final class Hint {
    static final String ENV = "BATON_COMMAND";
    static final String DEFAULT = "./baton";

    /** One process runs one command line, so the name is set once when it starts. */
    private static volatile String command = DEFAULT;

    private Hint() {}

    /** Takes the name from {@value #ENV} in {@code terminal}'s environment, else {@value #DEFAULT}. */
    static void configure(Terminal terminal) {
        String named = terminal.env(ENV);
        command = named == null || named.contains("\n") ? DEFAULT : named.strip();
    }

    /** {@code ./baton <args>}: a command line for the user to type. */
    static String cmd(String args) {
        return command + " " + args;
    }

    static String command() {
        return command;
    }

}
