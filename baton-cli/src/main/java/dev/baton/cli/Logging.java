package dev.baton.cli;

import java.util.List;

/**
 * How the command logs (slf4j-simple, on standard error). Quiet by default: only Baton's own
 * warnings, such as a model call being retried, each as one line; the libraries (Flyway, the
 * connection pool, the HTTP client) say nothing. {@code --verbose} shows the libraries' INFO lines
 * and Baton's too, with the logger's name. A level set with {@code -Dorg.slf4j.simpleLogger...}
 * wins over both.
 */
final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {}

    /**
     * Configures logging for {@code args}, before any logger exists: slf4j-simple reads its
     * settings once, when the first logger is made.
     */
    static void configure(List<String> args) {
        boolean verbose = verbose(args);
        set("logFile", "System.err");
        set("defaultLogLevel", verbose ? "info" : "off");
        set("log.dev.baton", verbose ? "info" : "warn");
        set("showThreadName", "false");
        set("showDateTime", "false");
        set("showLogName", "false");
        set("showShortLogName", Boolean.toString(verbose));
        set("levelInBrackets", "false");
    }

    /** Whether {@code --verbose} is among the options ({@code --} ends them: what follows is a message). */
    static boolean verbose(List<String> args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static void set(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
