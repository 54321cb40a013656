package dev.baton;

/**
 * The application configured Baton wrongly: a dangling handoff name, two tools with one name, a
 * model name no provider knows, a tool whose parameter type cannot be described. Fix the code.
 */
public final class UserError extends BatonException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
