package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** HTML escaping for the web UI: every text that is not the UI's own markup goes through {@link #esc}. */
final class Html {
    private Html() {}

    /** The text as HTML character data or a quoted attribute value: {@code & < > " '} become entities. */
    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** An inline image the page may show: a base64 data URL of a raster image type, nothing else. */
    private static final java.util.regex.Pattern SHOWN_IMAGE =
            java.util.regex.Pattern.compile("data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}");

    /**
     * The images of a tool output ({@code images} of its JSON): inline images shown small, images at
     * a web address as links (the page fetches nothing from elsewhere), hidden ones named.
     */
    static String images(JsonNode images) {
        StringBuilder html = new StringBuilder();
        for (JsonNode image : images) {
            String url = image.path("url").asText("");
            if (SHOWN_IMAGE.matcher(url).matches()) {
                html.append("<img class=\"tool-image\" src=\"").append(esc(url)).append("\" alt=\"an image the tool returned\">");
            } else if (url.startsWith("https://") || url.startsWith("http://")) {
                html.append("<a class=\"tool-image\" href=\"").append(esc(url)).append("\" rel=\"noopener noreferrer\">image: ")
                        .append(esc(url)).append("</a>");
            } else {
                html.append("<span class=\"tool-image\">[image ").append(url.equals(Privacy.HIDDEN) ? "hidden" : "not shown").append("]</span>");
            }
        }
        return html.toString();
    }

    /** A whole page: the title (escaped), the UI's stylesheet and script, and {@code body} (markup, already escaped). */
    static String page(String title, String body) {
        String scripts = "<script src=\"/ui/assets/baton.js\" defer></script>";
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · Baton</title>
                <link rel="stylesheet" href="/ui/assets/baton.css">
                %s
                </head>
                <body>
                <header><a class="brand" href="/ui/runs">Baton</a> <nav><a href="/ui/runs">Runs</a> <a href="/ui/approvals">Approvals</a> <a href="/ui/chat">Chat</a> <a href="/ui/overview">Overview</a></nav></header>
                <main>
                %s
                </main>
                </body>
                </html>
                """.formatted(esc(title), scripts, body);
    }
}
