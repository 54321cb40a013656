package dev.baton.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Copies of attribute and metadata maps: insertion order kept, nulls dropped, never throws on a null. */
final class Maps {
    private Maps() {}

    static Map<String, Object> copyWithoutNulls(@Nullable Map<String, ? extends @Nullable Object> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
        source.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return Collections.unmodifiableMap(copy);
    }
}
