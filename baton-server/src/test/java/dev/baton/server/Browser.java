package dev.baton.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven by Selenium through Debian's {@code chromium} and
 * {@code chromium-driver} (which {@code .ci/run} installs when missing). Nothing is downloaded:
 * both programs are found on the usual paths, and a machine without them fails with a message
 * that says what to install.
 */
final class Browser implements AutoCloseable {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a headless Chromium with an empty profile and a 1280×900 window. */
    static Browser start() {
        Path chromium = find("chromium", "chromium-browser", "google-chrome");
        Path chromedriver = find("chromedriver");
        try {
            Path profile = Files.createTempDirectory("baton-chromium");
            ChromeOptions options = new ChromeOptions()
                    .setBinary(chromium.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--window-size=1280,900", "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(chromedriver.toFile())
                    .usingAnyFreePort()
                    .build();
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path find(String... names) {
        List<Path> dirs = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of),
                        Stream.of(Path.of("/usr/bin"), Path.of("/usr/lib/chromium")))
                .toList();
        for (String name : names) {
            for (Path dir : dirs) {
                Path candidate = dir.resolve(name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("The web UI's browser tests need " + String.join(" or ", names)
                + " on the PATH: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does this)");
    }

    WebDriver driver() {
        return driver;
    }

    /** Opens {@code url} and returns once the page has loaded. */
    Browser open(java.net.URI url) {
        driver.get(url.toString());
        return this;
    }

    /** Waits up to {@code seconds} until {@code condition} gives a non-null, non-false value, and returns it. */
    <T> T await(int seconds, String what, Function<WebDriver, T> condition) {
        // A refreshed part of the page replaces the elements a condition was reading: look again.
        // Chromium sometimes reports the same as "Node with given id does not belong to the document".
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).withMessage(what)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> {
                    try {
                        return condition.apply(d);
                    } catch (org.openqa.selenium.WebDriverException e) {
                        if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                            return null;
                        }
                        throw e;
                    }
                });
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Optional<WebElement> first(String css) {
        return all(css).stream().findFirst();
    }

    WebElement one(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Saves the whole page (up to 2,400 pixels tall) as {@code target/screenshots/<name>.png}, for the docs' pictures of the UI. */
    Path screenshot(String name) {
        org.openqa.selenium.Dimension window = driver.manage().window().getSize();
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Object height = driver.executeScript("return document.documentElement.scrollHeight;");
            int tall = Math.min(2400, Math.max(window.getHeight(), ((Number) height).intValue() + 140));
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(window.getWidth(), tall));
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            driver.manage().window().setSize(window);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
