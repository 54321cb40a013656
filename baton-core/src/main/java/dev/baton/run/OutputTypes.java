package dev.baton.run;

import dev.baton.agent.OutputType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/** Whether a Java value is a valid final output of an agent's output type. */
final class OutputTypes {
    private static final Map<Class<?>, Class<?>> BOXES = Map.of(
            boolean.class, Boolean.class, int.class, Integer.class, long.class, Long.class, double.class, Double.class,
            float.class, Float.class, short.class, Short.class, byte.class, Byte.class, char.class, Character.class);

    private OutputTypes() {}

    static boolean fits(OutputType<?> type, Object value) {
        return fits(type.type(), value);
    }

    private static boolean fits(Type type, Object value) {
        if (type instanceof Class<?> c) {
            return BOXES.getOrDefault(c, c).isInstance(value);
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            if (!(value instanceof List<?> list)) {
                return false;
            }
            Type element = p.getActualTypeArguments()[0];
            return list.stream().allMatch(e -> e != null && fits(element, e));
        }
        return false;
    }
}
