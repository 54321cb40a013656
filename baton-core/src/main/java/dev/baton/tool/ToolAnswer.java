package dev.baton.tool;

import dev.baton.item.Image;
import java.util.List;
import java.util.Objects;

/**
 * What a tool returns when the model should see images beside its text: a screenshot of an error,
 * a scanned receipt, a chart. Any other value a tool returns becomes text (a string as it is,
 * anything else as JSON); a tool may also return a lone {@link Image}.
 *
 * <pre>{@code
 * Tool.of("get_receipt", "Show a receipt.", ReceiptRef.class,
 *         (ctx, a) -> ToolAnswer.of("Receipt " + a.id() + ":", Image.ofBytes("image/png", receipts.scan(a.id()))));
 * }</pre>
 *
 * <p>Models whose API reads images in tool results see them as images; with others the images
 * follow the tool results in a user message. Output guardrails check the text; a guardrail that
 * replaces the output replaces the images too.
 *
 * @param text the text the model reads first
 * @param images the images, in order
 */
public record ToolAnswer(String text, List<Image> images) {

    public ToolAnswer {
        Objects.requireNonNull(text, "text");
        images = List.copyOf(images);
    }

    /** {@code text} followed by {@code images}. */
    public static ToolAnswer of(String text, Image... images) {
        return new ToolAnswer(text, List.of(images));
    }
}
