package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./baton serve} as a user runs it, from the packaged jar (whose shading must keep the web
 * server's service files): it answers over HTTP and stops when the process is told to terminate.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(180)
class ServeLauncherIT {
    private static final Pattern SERVING = Pattern.compile("at (http://\\S+/) \\(runs: ");

    @TempDir
    Path workdir;

    @Test
    void baton_serve_on_port_0_answers_health_and_the_desks_and_stops_on_sigterm() throws Exception {
        Path launcher = Path.of(System.getProperty("baton.root", "..")).toRealPath().resolve("baton");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "serve", "--port", "0").directory(workdir.toFile())
                .redirectErrorStream(true);
        pb.environment().remove("OPENAI_API_KEY");
        pb.environment().remove("OPENAI_BASE_URL");
        pb.environment().remove("BATON_TOKEN");
        Process p = pb.start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder output = new StringBuilder();
            URI url = null;
            for (String line; url == null && (line = lines.readLine()) != null; ) {
                output.append(line).append('\n');
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    url = URI.create(m.group(1));
                }
            }
            assertThat(url).as("the URL in:%n%s", output).isNotNull();

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(url.resolve("/api/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> desks = http.send(HttpRequest.newBuilder(url.resolve("/api/desks")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(desks.statusCode()).isEqualTo(200);
            for (String desk : List.of("support", "acme", "rma")) {
                assertThat(desks.body()).contains("\"name\":\"" + desk + "\"");
            }

            assertThat(output.toString()).doesNotContain("Exception").doesNotContain("SEVERE");

            p.destroy(); // SIGTERM: the shutdown hook closes the server
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped").isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
        } finally {
            p.destroyForcibly();
        }
    }
}
