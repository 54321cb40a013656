package dev.baton.server;

import static dev.baton.server.Html.esc;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The web UI's HTML forms: reading a posted form (under the server's body limit), refusing posts
 * from other sites, and where to send the browser back after one.
 */
final class Forms {
    private Forms() {}

    /**
     * The form's fields, or empty after answering the browser: 403 for a post from another site
     * (or one that does not say where it comes from), 413 for a body over {@code maxBytes}, 400 for
     * one that is not a URL-encoded form.
     */
    static Optional<Map<String, String>> read(ServerRequest req, ServerResponse res, int maxBytes) {
        if (!sameOrigin(req)) {
            WebUi.html(res, Status.FORBIDDEN_403, message("Refused", "This form was not posted from a page of this server, "
                    + "so it is refused: Baton only accepts forms its own pages post (the browser's Origin or "
                    + "Sec-Fetch-Site header says which).", "/ui/runs"));
            return Optional.empty();
        }
        byte[] body = Bodies.read(req, maxBytes);
        if (body == null) {
            WebUi.html(res, Status.REQUEST_ENTITY_TOO_LARGE_413,
                    message("Too large", "The form is larger than " + maxBytes + " bytes.", "/ui/runs"));
            return Optional.empty();
        }
        Map<String, String> fields = new HashMap<>();
        try {
            for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                fields.putIfAbsent(name, value);
            }
        } catch (IllegalArgumentException e) {
            WebUi.html(res, Status.BAD_REQUEST_400, message("Bad request", "The form is not URL-encoded: " + e.getMessage(), "/ui/runs"));
            return Optional.empty();
        }
        return Optional.of(fields);
    }

    /**
     * Whether the browser says the post comes from a page of this server: {@code Sec-Fetch-Site:
     * same-origin}, and an {@code Origin} whose host and port are the request's {@code Host}. At
     * least one of the two must be there, and neither may name another site; a request with neither
     * (not from a browser, or from a very old one) is refused too.
     */
    static boolean sameOrigin(ServerRequest req) {
        Optional<String> site = req.headers().first(HeaderNames.create("Sec-Fetch-Site"));
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (site.isEmpty() && origin.isEmpty()) {
            return false;
        }
        if (site.isPresent() && !site.get().trim().equalsIgnoreCase("same-origin")) {
            return false;
        }
        if (origin.isPresent()) {
            Optional<String> host = req.headers().first(HeaderNames.HOST);
            try {
                URI o = new URI(origin.get().trim());
                return host.isPresent() && ("http".equals(o.getScheme()) || "https".equals(o.getScheme()))
                        && o.getRawAuthority() != null && o.getRawAuthority().equalsIgnoreCase(host.get().trim());
            } catch (URISyntaxException e) {
                return false;
            }
        }
        return true;
    }

    /** A field's value, or null when missing or blank. */
    static @Nullable String field(Map<String, String> fields, String name) {
        String v = fields.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** Where to send the browser after a post: {@code back} if it is a path of the UI, else {@code fallback}. */
    static String back(@Nullable String back, String fallback) {
        return back != null && back.startsWith("/ui/") && !back.contains("\\") && back.chars().noneMatch(Character::isISOControl)
                ? back : fallback;
    }

    /** A small page that says what happened, with a link onwards. */
    static String message(String title, String text, String link) {
        return Html.page(title, "<h1>" + esc(title) + "</h1>\n<p class=\"notice\">" + esc(text) + "</p>\n<p><a href=\""
                + esc(link) + "\">Back</a></p>");
    }
}
