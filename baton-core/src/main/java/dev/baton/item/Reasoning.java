package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * A reasoning item from a reasoning model. Kept in the conversation so providers that need it
 * back (OpenAI Responses with encrypted content) receive it on the next call.
 *
 * @param id provider id of the item
 * @param summary readable summary, {@code ""} where there is none
 * @param encryptedContent opaque content to send back, where the provider gave one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reasoning(@Nullable String id, String summary, @Nullable String encryptedContent) implements Item {

    public Reasoning {
        summary = summary == null ? "" : summary;
    }

    public Reasoning(String summary) {
        this(null, summary, null);
    }
}
