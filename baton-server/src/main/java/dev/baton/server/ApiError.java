package dev.baton.server;

/**
 * A request the API refuses, with the HTTP status and the error type its JSON body names
 * ({@code {"error": {"type": ..., "message": ...}}}).
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;

    ApiError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    static ApiError conflict(String message) {
        return new ApiError(409, "conflict", message);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }
}
