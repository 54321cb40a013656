package dev.baton.openai;

import com.openai.errors.OpenAIServiceException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * What went wrong with one attempt of a call, as a person reads it, and whether another attempt
 * may go better.
 *
 * @param kind the kind of failure
 * @param summary a few words for a log line: {@code connection refused to 127.0.0.1:9}, {@code HTTP 429}
 * @param detail the sentence for the error message, with a hint at the fix
 * @param retryAfterMs the wait the server asked for, -1 if none
 */
record Fault(Kind kind, String summary, String detail, long retryAfterMs) {
    enum Kind { HTTP_RETRYABLE, HTTP, REFUSED, UNKNOWN_HOST, TLS, TIMEOUT, DROPPED, OTHER }

    /** Whether another attempt may go better. */
    boolean retryable() {
        return kind == Kind.HTTP_RETRYABLE || kind == Kind.REFUSED || kind == Kind.DROPPED;
    }

    static Fault of(Throwable e, @Nullable String baseUrl) {
        if (e instanceof OpenAIServiceException service) {
            int status = service.statusCode();
            return new Fault(retryableStatus(service) ? Kind.HTTP_RETRYABLE : Kind.HTTP, "HTTP " + status, "HTTP " + status,
                    Retrying.retryAfterMs(service));
        }
        String where = endpoint(baseUrl);
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                String host = host(baseUrl);
                return new Fault(Kind.UNKNOWN_HOST, "unknown host " + host, "unknown host " + host + " ("
                        + (baseUrl == null ? "check the network's DNS" : "check OPENAI_BASE_URL, now " + baseUrl) + ")", -1);
            }
            if (t instanceof ConnectException) {
                boolean refused = refused(t);
                String what = refused ? "connection refused to " + where : "cannot connect to " + where + " (" + t.getMessage() + ")";
                return new Fault(refused ? Kind.REFUSED : Kind.OTHER, what, what + " ("
                        + (baseUrl == null ? "check the network" : "is the server at " + baseUrl + " running?") + ")", -1);
            }
            if (t instanceof SSLException) {
                String what = "TLS failure with " + where;
                return new Fault(Kind.TLS, what, what + ": " + t.getMessage()
                        + " (check the URL's scheme, https to a server that speaks plain http, and the server's certificate)", -1);
            }
            if (t instanceof InterruptedIOException) {
                return new Fault(Kind.TIMEOUT, "timed out", "timed out", -1);
            }
            if (t instanceof com.fasterxml.jackson.core.JacksonException) {
                return new Fault(Kind.OTHER, "unreadable answer", "unreadable answer: " + t.getMessage(), -1);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                String what = "connection to " + where + " dropped (" + t.getMessage() + ")";
                return new Fault(Kind.DROPPED, what, what, -1);
            }
        }
        return new Fault(Kind.OTHER, String.valueOf(e.getMessage()), String.valueOf(e.getMessage()), -1);
    }

    private static boolean retryableStatus(OpenAIServiceException e) {
        List<String> should = e.headers().values("x-should-retry");
        if (!should.isEmpty()) {
            return should.get(0).strip().equalsIgnoreCase("true");
        }
        int s = e.statusCode();
        return s == 408 || s == 409 || s == 429 || s >= 500;
    }

    private static boolean refused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().toLowerCase(Locale.ROOT).contains("refused")) {
                return true;
            }
        }
        return false;
    }

    /** {@code host:port} of the endpoint. */
    static String endpoint(@Nullable String baseUrl) {
        URI uri = uri(baseUrl);
        int port = uri.getPort() >= 0 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        return host(baseUrl) + ":" + port;
    }

    private static String host(@Nullable String baseUrl) {
        String host = uri(baseUrl).getHost();
        return host == null ? String.valueOf(baseUrl) : host;
    }

    private static URI uri(@Nullable String baseUrl) {
        try {
            return URI.create(baseUrl == null ? "https://api.openai.com/v1" : baseUrl);
        } catch (IllegalArgumentException e) {
            return URI.create("https://unknown");
        }
    }
}
