package dev.baton.server;

import static dev.baton.server.Html.esc;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Signing a browser in to a server that needs a token: the sign-in page takes the token once and
 * keeps it in a cookie ({@code HttpOnly}, {@code SameSite=Strict}, so scripts cannot read it and
 * other sites' pages cannot send it), which the token filter then accepts like the header. Programs
 * keep sending {@code Authorization: Bearer <token>}.
 */
final class SignIn {
    static final String COOKIE = "baton_token";
    private static final String PAGE = "/ui/sign-in";

    private final @Nullable String token;
    private final int maxBodyBytes;

    /** {@code token} is the server's, or null when it needs none (then the page says so). */
    SignIn(@Nullable String token, int maxBodyBytes) {
        this.token = token;
        this.maxBodyBytes = maxBodyBytes;
    }

    void routes(HttpRouting.Builder r) {
        r.get(PAGE, this::page);
        r.post(PAGE, this::signIn);
    }

    /** Paths any request may reach without the token: the sign-in page and the UI's stylesheet and script. */
    static boolean isOpen(String path) {
        return path.equals(PAGE) || path.startsWith("/ui/assets/");
    }

    /** Whether a request without credentials is a browser asking for a page (sent to sign in rather than refused). */
    static boolean isPage(String method, String path) {
        return method.equals("GET") && (path.equals("/") || path.equals("/ui") || path.startsWith("/ui/"));
    }

    /** The token the sign-in cookie holds, if the request has it. */
    static Optional<String> cookie(Headers headers) {
        return headers.first(HeaderNames.COOKIE).flatMap(SignIn::tokenIn);
    }

    private static Optional<String> tokenIn(String cookieHeader) {
        for (String part : cookieHeader.split(";")) {
            String c = part.strip();
            if (c.startsWith(COOKIE + "=")) {
                return Optional.of(c.substring(COOKIE.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** Sends a browser that asked for a page without the token to the sign-in page, coming back afterwards. */
    static void sendToSignIn(RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        String query = req.query().rawValue();
        String back = path.startsWith("/ui/") ? path + (query.isEmpty() ? "" : "?" + query) : "/ui/runs";
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, PAGE + "?next=" + URLEncoder.encode(back, StandardCharsets.UTF_8));
        res.send();
    }

    private void page(ServerRequest req, ServerResponse res) {
        String next = Forms.back(Api.param(req, "next"), "/ui/runs");
        if (token == null) {
            redirect(res, next, null);
            return;
        }
        WebUi.html(res, Status.OK_200, form(next, null));
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        Optional<Map<String, String>> form = Forms.read(req, res, maxBodyBytes);
        if (form.isEmpty()) {
            return;
        }
        String next = Forms.back(Forms.field(form.get(), "next"), "/ui/runs");
        if (token == null) {
            redirect(res, next, null);
            return;
        }
        String given = form.get().getOrDefault("token", "").strip();
        if (!Tokens.matches(token, given)) {
            WebUi.html(res, Status.UNAUTHORIZED_401, form(next, "That is not this server's token."));
            return;
        }
        redirect(res, next, COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    }

    private static void redirect(ServerResponse res, String location, @Nullable String cookie) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, location);
        if (cookie != null) {
            res.header(HeaderNames.SET_COOKIE, cookie);
        }
        res.send();
    }

    private static String form(String next, @Nullable String problem) {
        return Html.page("Sign in", "<h1>Sign in</h1>\n"
                + (problem == null ? "" : "<p class=\"notice error\">" + esc(problem) + "</p>\n")
                + "<p>This server needs its token. <code>baton serve</code> printed it when it made it, and keeps it in the "
                + "token file beside its database.</p>\n"
                + "<form method=\"post\" action=\"" + PAGE + "\" class=\"sign-in\">\n"
                + "<input type=\"hidden\" name=\"next\" value=\"" + esc(next) + "\">\n"
                + "<label>Token <input type=\"password\" name=\"token\" autocomplete=\"current-password\" required autofocus></label>\n"
                + "<button type=\"submit\">Sign in</button>\n</form>\n");
    }
}
