package dev.baton.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The web UI over plain HTTP on loopback, without a browser: gets pages and posts forms as a page of the server would. */
final class FormClient {
    /** A page as the browser gets it: status, HTML, headers. */
    record Page(int status, String html, HttpHeaders headers) {
        String location() {
            return headers.firstValue("Location").orElseThrow(() -> new AssertionError("no Location on a " + status + " answer"));
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    FormClient(BatonServer server) {
        this.base = server.url();
    }

    /** The server's own origin, as a browser sends it with a form from one of its pages. */
    String origin() {
        return base.getScheme() + "://" + base.getRawAuthority();
    }

    Page get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** A page asked for with the bearer token, as a program (not a browser) would; null asks without it. */
    Page get(String path, @org.jspecify.annotations.Nullable String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    /** Posts the form as a page of this server does: with its Origin and {@code Sec-Fetch-Site: same-origin}. */
    Page post(String path, Map<String, String> fields) {
        return post(path, fields, Map.of("Origin", origin(), "Sec-Fetch-Site", "same-origin"));
    }

    /** Posts the form with exactly these browser headers. */
    Page post(String path, Map<String, String> fields, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields)));
        headers.forEach(request::header);
        return send(request);
    }

    /** Follows a 303 to the page it names. */
    Page follow(Page redirect) {
        if (redirect.status() != 303) {
            throw new AssertionError("expected a 303, got " + redirect.status() + ": " + redirect.html());
        }
        return get(redirect.location());
    }

    static Map<String, String> fields(String... namesAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private Page send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> res = client.send(request.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Page(res.statusCode(), res.body(), res.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
