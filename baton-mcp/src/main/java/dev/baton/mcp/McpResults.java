package dev.baton.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.item.Image;
import dev.baton.tool.ToolAnswer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** A tool call's MCP result as what the model reads: text, and the images it can look at. */
final class McpResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private McpResults() {}

    /**
     * The result's content, each part on its own: text as it is, an embedded text resource's text,
     * images (inline, and embedded resources of an image type) as images after the text, and a line
     * that names what the model cannot take here (audio, other binary data, a link). When
     * {@code structuredFirst} is set, or the result has no content, its structured content as JSON
     * is the text.
     */
    static ToolAnswer answer(McpSchema.CallToolResult result, boolean structuredFirst) {
        Object structured = result.structuredContent();
        List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
        List<String> parts = new ArrayList<>();
        List<Image> images = new ArrayList<>();
        boolean structuredText = structured != null && (structuredFirst || content.isEmpty());
        if (structuredText) {
            parts.add(json(structured)); // the content's text is then most often the same data again
        }
        for (McpSchema.Content c : content) {
            Image image = image(c);
            if (image != null) {
                images.add(image);
            } else if (!structuredText) {
                parts.add(part(c));
            }
        }
        return new ToolAnswer(String.join("\n", parts), images);
    }

    /** The text of a result, for error messages (images are named, not shown). */
    static String text(McpSchema.CallToolResult result) {
        List<String> parts = new ArrayList<>();
        if (result.content() != null) {
            for (McpSchema.Content c : result.content()) {
                Image image = image(c);
                parts.add(image == null ? part(c) : "[" + image.describe() + "]");
            }
        }
        return String.join("\n", parts);
    }

    /** The image a part holds, or null: an image, or an embedded resource whose type is an image's. */
    private static @Nullable Image image(McpSchema.Content content) {
        try {
            return switch (content) {
                case McpSchema.ImageContent i -> Image.ofBase64(i.mimeType(), i.data());
                case McpSchema.EmbeddedResource r when r.resource() instanceof McpSchema.BlobResourceContents b
                        && b.mimeType() != null && b.mimeType().toLowerCase(Locale.ROOT).startsWith("image/") ->
                        Image.ofBase64(b.mimeType(), b.blob());
                default -> null;
            };
        } catch (IllegalArgumentException e) {
            return null; // not an image type after all: named on a line instead
        }
    }

    private static String part(McpSchema.Content content) {
        return switch (content) {
            case McpSchema.TextContent t -> t.text();
            case McpSchema.ImageContent i -> "[" + i.mimeType() + " image, " + size(i.data()) + "]";
            case McpSchema.AudioContent a -> "[" + a.mimeType() + " audio, " + size(a.data()) + ", not played to the model]";
            case McpSchema.EmbeddedResource r -> switch (r.resource()) {
                case McpSchema.TextResourceContents t -> t.text();
                case McpSchema.BlobResourceContents b -> "[resource " + b.uri() + " (" + b.mimeType() + "), " + size(b.blob())
                        + " of binary data, not shown to the model]";
                default -> "[resource " + r.resource().uri() + "]";
            };
            case McpSchema.ResourceLink l -> "[resource link " + l.uri() + (l.name() == null ? "" : " (" + l.name() + ")") + "]";
            default -> "[" + content.type() + " content]";
        };
    }

    /** The decoded size of base64 data, for people and models: "1.2 KB". */
    private static String size(String base64) {
        long bytes;
        try {
            bytes = Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            bytes = base64.length() * 3L / 4;
        }
        return bytes < 1024 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
