package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A browser signs in once with the server's token and is then let in by a cookie; programs keep the header. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class SignInTest {
    static final String TOKEN = "s3cret-token-for-the-ui";

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    BatonServer server;

    @BeforeEach
    void start() {
        server = TokenApiTest.support().token(TOKEN).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> get(String path, @Nullable String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.url().resolve(path)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> signIn(String form, boolean fromThisServer) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.url().resolve("/ui/sign-in")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (fromThisServer) {
            r.header("Origin", "http://127.0.0.1:" + server.port());
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_page_asked_for_without_the_token_sends_the_browser_to_sign_in_and_back() throws Exception {
        HttpResponse<String> runs = get("/ui/runs?status=failed", null);

        assertThat(runs.statusCode()).isEqualTo(303);
        assertThat(runs.headers().firstValue("Location")).hasValue("/ui/sign-in?next=%2Fui%2Fruns%3Fstatus%3Dfailed");
        HttpResponse<String> page = get("/ui/sign-in?next=%2Fui%2Fruns%3Fstatus%3Dfailed", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<input type=\"password\" name=\"token\"")
                .contains("name=\"next\" value=\"/ui/runs?status=failed\"");
        assertThat(get("/ui/assets/baton.css", null).statusCode()).isEqualTo(200);
    }

    @Test
    void the_api_still_answers_401_without_the_token() throws Exception {
        HttpResponse<String> desks = get("/api/desks", null);

        assertThat(desks.statusCode()).isEqualTo(401);
        assertThat(desks.body()).contains("\"unauthorized\"");
    }

    @Test
    void the_right_token_sets_a_cookie_scripts_cannot_read_and_other_sites_cannot_send_which_lets_the_browser_in()
            throws Exception {
        HttpResponse<String> signedIn = signIn("token=" + TOKEN + "&next=%2Fui%2Fruns%3Fstatus%3Dfailed", true);

        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.headers().firstValue("Location")).hasValue("/ui/runs?status=failed");
        String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith(SignIn.COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(get("/ui/runs", cookie).statusCode()).isEqualTo(200);
        assertThat(get("/api/desks", cookie).statusCode()).isEqualTo(200);
    }

    @Test
    void a_wrong_token_is_refused_on_the_page_and_sets_no_cookie() throws Exception {
        HttpResponse<String> refused = signIn("token=guess&next=%2Fui%2Fruns", true);

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("not this server&#39;s token");
        assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(get("/ui/runs", SignIn.COOKIE + "=guess").statusCode()).isEqualTo(303);
    }

    @Test
    void a_sign_in_posted_from_another_site_is_refused() throws Exception {
        HttpResponse<String> refused = signIn("token=" + TOKEN, false);

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void after_signing_in_the_browser_goes_only_to_a_page_of_this_ui() throws Exception {
        HttpResponse<String> signedIn = signIn("token=" + TOKEN + "&next=%2F%2Fevil.example%2F", true);

        assertThat(signedIn.headers().firstValue("Location")).hasValue("/ui/runs");
    }
}
