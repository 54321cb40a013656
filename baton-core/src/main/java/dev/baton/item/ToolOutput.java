package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * The answer to a {@link ToolCall}, as the model will read it.
 *
 * @param callId the id of the call this answers
 * @param output the text the model sees (a tool's result, or an error message)
 * @param images images the tool returned for the model to look at, after the text (most tools return none)
 */
public record ToolOutput(String callId, String output, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Image> images)
        implements Item {

    public ToolOutput {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(output, "output");
        images = images == null ? List.of() : List.copyOf(images); // absent in JSON written before images
    }

    /** A text-only output. */
    public ToolOutput(String callId, String output) {
        this(callId, output, List.of());
    }

    /** The text, then one bracketed line naming each image (without its data), for transcripts that hold only text. */
    public String describe() {
        if (images.isEmpty()) {
            return output;
        }
        StringBuilder text = new StringBuilder(output);
        for (Image image : images) {
            text.append(text.isEmpty() ? "" : "\n").append('[').append(image.describe()).append(']');
        }
        return text.toString();
    }
}
