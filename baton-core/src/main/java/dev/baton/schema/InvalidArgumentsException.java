package dev.baton.schema;

/**
 * Arguments written by a model could not be used: malformed JSON, a missing or unknown property,
 * a wrong type, a value outside an enum, or null where a value is required. The message is meant
 * for the model to read and correct itself.
 */
public final class InvalidArgumentsException extends RuntimeException {
    private final String rawArguments;

    public InvalidArgumentsException(String message, String rawArguments, Throwable cause) {
        super(message, cause);
        this.rawArguments = rawArguments;
    }

    public InvalidArgumentsException(String message, String rawArguments) {
        super(message);
        this.rawArguments = rawArguments;
    }

    /** The arguments as the model wrote them. */
    public String rawArguments() {
        return rawArguments;
    }
}
