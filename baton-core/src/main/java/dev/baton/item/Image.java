package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An image for the model to look at, returned by a tool beside its text (a screenshot, a scanned
 * receipt, a chart from an MCP server). It is kept in the {@link ToolOutput} that answers the call,
 * so sessions, paused runs and durable journals keep it too, and model providers that accept images
 * in tool results send it as an image.
 *
 * @param url where the model finds it: a {@code data:image/...;base64,...} URL holding the image
 *     itself, or an {@code http(s)} URL the provider fetches
 * @param detail how closely the model should look, or {@code null} for the provider's default
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Image(String url, @Nullable Detail detail) {

    /** How closely the model looks at an image: fewer tokens for {@code LOW}, more for {@code HIGH}. */
    public enum Detail { LOW, HIGH, AUTO }

    /** @throws IllegalArgumentException if {@code url} is neither a data URL of an image nor an http(s) URL */
    public Image {
        Objects.requireNonNull(url, "url");
        String lower = url.regionMatches(true, 0, "data:", 0, 5) ? url.substring(0, Math.min(url.length(), 64)).toLowerCase(Locale.ROOT) : "";
        boolean data = lower.startsWith("data:image/") && lower.contains(";base64,");
        boolean web = url.regionMatches(true, 0, "https://", 0, 8) || url.regionMatches(true, 0, "http://", 0, 7);
        if (!data && !web) {
            String shown = url.length() > 40 ? url.substring(0, 40) + "..." : url;
            throw new IllegalArgumentException("An image needs a data:image/...;base64, URL or an http(s) URL, not '" + shown + "'");
        }
    }

    /** The image at {@code url}, at the provider's default detail. */
    public static Image ofUrl(String url) {
        return new Image(url, null);
    }

    /** An image given as base64 text (as MCP servers send them), e.g. {@code ofBase64("image/png", data)}. */
    public static Image ofBase64(String mediaType, String base64) {
        Objects.requireNonNull(base64, "base64");
        if (!mediaType.toLowerCase(Locale.ROOT).startsWith("image/")) {
            throw new IllegalArgumentException("An image's media type starts with image/, not '" + mediaType + "'");
        }
        return new Image("data:" + mediaType + ";base64," + base64, null);
    }

    /** An image given as its bytes, e.g. {@code ofBytes("image/png", Files.readAllBytes(path))}. */
    public static Image ofBytes(String mediaType, byte[] bytes) {
        return ofBase64(mediaType, Base64.getEncoder().encodeToString(bytes));
    }

    /** This image, looked at with {@code value}. */
    public Image withDetail(@Nullable Detail value) {
        return new Image(url, value);
    }

    /** The media type of an image held in a data URL ({@code image/png}), or {@code null} for an http(s) URL. */
    @JsonIgnore
    public @Nullable String mediaType() {
        if (!url.regionMatches(true, 0, "data:", 0, 5)) {
            return null;
        }
        int end = url.indexOf(';');
        return end < 0 ? null : url.substring(5, end);
    }

    /** A short description for people and logs, without the image's data: {@code image/png image, 1.2 KB}. */
    public String describe() {
        String type = mediaType();
        if (type == null) {
            return "image at " + url;
        }
        int padding = url.endsWith("==") ? 2 : url.endsWith("=") ? 1 : 0;
        long bytes = (url.length() - url.indexOf(',') - 1) * 3L / 4 - padding;
        return type + " image, " + (bytes < 1024 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0));
    }
}
