package dev.baton.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** A tool call's MCP result as the text the model reads. */
final class McpResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private McpResults() {}

    /**
     * The result's content, each part on its own: text as it is, an embedded text resource's text, and
     * a line that names what the model cannot read here (an image, audio, binary data, a link). When
     * {@code structuredFirst} is set, or the result has no content, its structured content as JSON.
     */
    static String text(McpSchema.CallToolResult result, boolean structuredFirst) {
        Object structured = result.structuredContent();
        if (structured != null && (structuredFirst || result.content() == null || result.content().isEmpty())) {
            return json(structured);
        }
        List<String> parts = new ArrayList<>();
        if (result.content() != null) {
            for (McpSchema.Content c : result.content()) {
                parts.add(part(c));
            }
        }
        return String.join("\n", parts);
    }

    private static String part(McpSchema.Content content) {
        return switch (content) {
            case McpSchema.TextContent t -> t.text();
            case McpSchema.ImageContent i -> "[" + i.mimeType() + " image, " + size(i.data()) + ", not shown to the model]";
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
