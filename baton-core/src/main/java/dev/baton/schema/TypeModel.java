package dev.baton.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.baton.UserError;
import dev.baton.tool.ToolContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The one description of how Java types map to strict JSON, shared by schema generation and
 * argument binding so the schema a model sees and the checks its arguments face always agree:
 * which members are properties, their JSON names, which are nullable, and which types are
 * supported at all.
 */
final class TypeModel {

    /** How a Java type appears in JSON. */
    enum Kind { BOOLEAN, INTEGER, NUMBER, STRING, ENUM, ARRAY, OPTIONAL, OBJECT, UNSUPPORTED }

    /**
     * A property of an object schema: a field of a record or class, or a method parameter.
     *
     * @param name the JSON name
     * @param type the Java type, with type variables resolved
     * @param nullable whether null (or absence) is allowed
     * @param description text for the model, if any
     */
    record Property(String name, JavaType type, boolean nullable, @Nullable String description) {}

    /**
     * A Java type written as a JSON string.
     *
     * @param format the JSON schema {@code format}, only where OpenAI strict mode accepts it
     * @param expected what a valid value looks like, for error messages
     * @param parser turns the text into the Java value; throws on malformed text
     */
    record TextType(@Nullable String format, String expected, Function<String, ?> parser) {}

    static final Map<Class<?>, TextType> TEXT_TYPES = Map.ofEntries(
            Map.entry(String.class, new TextType(null, "a string", s -> s)),
            Map.entry(char.class, new TextType(null, "a single character", TypeModel::parseChar)),
            Map.entry(Character.class, new TextType(null, "a single character", TypeModel::parseChar)),
            Map.entry(UUID.class, new TextType("uuid", "a UUID such as 3f2b1c4e-8d9a-4b7f-9e2d-5a6c7b8d9e0f", TypeModel::parseUuid)),
            Map.entry(URI.class, new TextType(null, "a URI", URI::create)),
            Map.entry(LocalDate.class, new TextType("date", "a date such as 2024-01-31", LocalDate::parse)),
            Map.entry(LocalTime.class, new TextType(null, "a time such as 10:15:30", LocalTime::parse)),
            Map.entry(LocalDateTime.class, new TextType(null, "a date and time such as 2024-01-31T10:15:30", LocalDateTime::parse)),
            Map.entry(Instant.class, new TextType("date-time", "a timestamp such as 2024-01-31T10:15:30Z", Instant::parse)),
            Map.entry(OffsetDateTime.class, new TextType("date-time", "a date and time with offset such as 2024-01-31T10:15:30+01:00", OffsetDateTime::parse)),
            Map.entry(ZonedDateTime.class, new TextType("date-time", "a date and time with offset such as 2024-01-31T10:15:30+01:00", ZonedDateTime::parse)),
            Map.entry(Duration.class, new TextType("duration", "an ISO-8601 duration such as PT15M", Duration::parse)),
            Map.entry(Period.class, new TextType(null, "an ISO-8601 period such as P1M2D", Period::parse)),
            Map.entry(YearMonth.class, new TextType(null, "a year and month such as 2024-01", YearMonth::parse)));

    private static final Set<Class<?>> BOOLEANS = Set.of(boolean.class, Boolean.class);
    private static final Set<Class<?>> INTEGERS = Set.of(
            byte.class, short.class, int.class, long.class, Byte.class, Short.class, Integer.class, Long.class, BigInteger.class);
    private static final Set<Class<?>> NUMBERS = Set.of(
            float.class, double.class, Float.class, Double.class, BigDecimal.class);

    private static final Map<JavaType, List<Property>> PROPERTIES = new ConcurrentHashMap<>();
    private static final Map<Method, List<Property>> PARAMETERS = new ConcurrentHashMap<>();
    private static final Set<JavaType> SUPPORTED = ConcurrentHashMap.newKeySet();
    private static final Set<Method> SUPPORTED_METHODS = ConcurrentHashMap.newKeySet();
    private static final ClassValue<List<JsonNode>> ENUM_VALUES = new ClassValue<>() {
        @Override
        protected List<JsonNode> computeValue(Class<?> type) {
            // Serialise each constant with the shared mapper so @JsonValue / @JsonProperty are
            // honoured exactly as they will be when the model's value is bound.
            return Arrays.stream(type.getEnumConstants())
                    .<JsonNode>map(constant -> JsonSchemas.mapper().valueToTree(constant))
                    .toList();
        }
    };

    private TypeModel() {}

    static JavaType javaType(java.lang.reflect.Type type) {
        return typeFactory().constructType(type);
    }

    static Kind kind(JavaType type) {
        Class<?> raw = type.getRawClass();
        Kind simple = simpleKind(raw);
        if (simple != null) {
            return simple;
        }
        if (raw == Optional.class) {
            return Kind.OPTIONAL;
        }
        if (type.isArrayType() || type.isCollectionLikeType()) {
            return Kind.ARRAY;
        }
        if (type.isMapLikeType() || raw == Object.class || JsonNode.class.isAssignableFrom(raw)
                || raw.isInterface() || Modifier.isAbstract(raw.getModifiers()) || raw.isPrimitive()
                || isJdkType(raw)) {
            return Kind.UNSUPPORTED;
        }
        return Kind.OBJECT;
    }

    /** The kind of a type that is a JSON scalar or enum, or null for anything structured. */
    static @Nullable Kind simpleKind(Class<?> raw) {
        if (BOOLEANS.contains(raw)) {
            return Kind.BOOLEAN;
        }
        if (INTEGERS.contains(raw)) {
            return Kind.INTEGER;
        }
        if (NUMBERS.contains(raw)) {
            return Kind.NUMBER;
        }
        if (TEXT_TYPES.containsKey(raw)) {
            return Kind.STRING;
        }
        if (enumClass(raw) != null) {
            return Kind.ENUM;
        }
        return null;
    }

    /** The enum declaring {@code raw}, also for a constant with a body; null if not an enum. */
    static @Nullable Class<?> enumClass(Class<?> raw) {
        if (raw.isEnum()) {
            return raw;
        }
        Class<?> parent = raw.getSuperclass();
        return parent != null && parent.isEnum() ? parent : null;
    }

    /** The JSON values of an enum's constants, as the shared mapper writes and reads them. */
    static List<JsonNode> enumValues(Class<?> raw) {
        Class<?> type = enumClass(raw);
        return type == null ? List.of() : ENUM_VALUES.get(type);
    }

    /** Element type of an array or collection, or the wrapped type of an Optional. */
    static JavaType contentType(JavaType type) {
        JavaType content = type.isContainerType() ? type.getContentType() : type.containedTypeOrUnknown(0);
        return content == null ? typeFactory().constructType(Object.class) : content;
    }

    /** Properties of a record or class, in declaration order (superclass fields first). */
    static List<Property> properties(JavaType objectType) {
        return PROPERTIES.computeIfAbsent(objectType, TypeModel::computeProperties);
    }

    /** Properties for a method's parameters, leaving out {@link ToolContext} parameters. */
    static List<Property> parameters(Method method) {
        return PARAMETERS.computeIfAbsent(method, TypeModel::computeParameters);
    }

    static boolean isToolContext(Parameter parameter) {
        return parameter.getType() == ToolContext.class;
    }

    /** Fields that are properties: instance state that is neither static, transient nor synthetic. */
    static boolean isProperty(Field field) {
        int modifiers = field.getModifiers();
        return !Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()
                && !isJdkType(field.getDeclaringClass());
    }

    /** Sort key giving declaration order: superclass fields first, record component order for records. */
    static int order(Field field) {
        Class<?> owner = field.getDeclaringClass();
        int depth = 0;
        for (Class<?> c = owner.getSuperclass(); c != null; c = c.getSuperclass()) {
            depth++;
        }
        int index;
        if (owner.isRecord()) {
            index = Arrays.stream(owner.getRecordComponents()).map(RecordComponent::getName).toList().indexOf(field.getName());
        } else {
            index = Arrays.asList(owner.getDeclaredFields()).indexOf(field);
        }
        return depth * 10_000 + index;
    }

    static String jsonName(Field field) {
        JsonProperty explicit = annotation(field, JsonProperty.class);
        return explicit != null && !explicit.value().isEmpty() ? explicit.value() : JsonSchemas.toSnakeCase(field.getName());
    }

    static String jsonName(Parameter parameter) {
        JsonProperty explicit = parameter.getAnnotation(JsonProperty.class);
        return explicit != null && !explicit.value().isEmpty() ? explicit.value() : JsonSchemas.toSnakeCase(parameter.getName());
    }

    static boolean nullable(Field field) {
        Class<?> raw = field.getType();
        if (raw.isPrimitive()) {
            return false;
        }
        if (raw == Optional.class) {
            return true;
        }
        for (AnnotatedElement element : sources(field)) {
            if (hasNullable(element.getAnnotations())) {
                return true;
            }
        }
        for (AnnotatedType type : annotatedTypes(field)) {
            if (hasNullable(type.getAnnotations())) {
                return true;
            }
        }
        return false;
    }

    static boolean nullable(Parameter parameter) {
        Class<?> raw = parameter.getType();
        if (raw.isPrimitive()) {
            return false;
        }
        return raw == Optional.class
                || hasNullable(parameter.getAnnotations())
                || hasNullable(parameter.getAnnotatedType().getAnnotations());
    }

    static @Nullable String description(Field field) {
        Description d = annotation(field, Description.class);
        return d == null ? null : d.value();
    }

    static @Nullable String description(Parameter parameter) {
        Description d = parameter.getAnnotation(Description.class);
        return d == null ? null : d.value();
    }

    static @Nullable String typeDescription(Class<?> type) {
        Description d = type.getAnnotation(Description.class);
        return d == null ? null : d.value();
    }

    /**
     * Fails with a {@link UserError} if {@code root}, or any type reachable from its properties,
     * cannot be described by a strict schema (maps, free-form values, abstract types, unknown JDK
     * types). Checked once per type.
     */
    static void requireSupported(JavaType root) {
        if (SUPPORTED.contains(root)) {
            return;
        }
        checkObject(root, new HashSet<>());
        SUPPORTED.add(root);
    }

    /** As {@link #requireSupported(JavaType)}, for the parameters of a tool method. */
    static void requireSupported(Method method) {
        if (SUPPORTED_METHODS.contains(method)) {
            return;
        }
        Set<JavaType> seen = new HashSet<>();
        String owner = method.getDeclaringClass().getName() + "." + method.getName() + "(..)";
        for (Property p : parameters(method)) {
            checkValue(p.type(), owner, "parameter", p.name(), seen);
        }
        SUPPORTED_METHODS.add(method);
    }

    private static void checkObject(JavaType type, Set<JavaType> seen) {
        if (!seen.add(type)) {
            return;
        }
        for (Property p : properties(type)) {
            checkValue(p.type(), type.getRawClass().getName(), "property", p.name(), seen);
        }
    }

    private static void checkValue(JavaType type, String owner, String what, String name, Set<JavaType> seen) {
        switch (kind(type)) {
            case ARRAY, OPTIONAL -> checkValue(contentType(type), owner, what, name, seen);
            case OBJECT -> checkObject(type, seen);
            case UNSUPPORTED -> throw new UserError(what + " '" + name + "' of " + owner + " has type " + type.toCanonical()
                    + ", which a strict JSON schema cannot describe: " + unsupportedReason(type));
            default -> {}
        }
    }

    private static String unsupportedReason(JavaType type) {
        Class<?> raw = type.getRawClass();
        if (type.isMapLikeType()) {
            return "maps are free-form objects, which OpenAI strict mode forbids; use a record, or a list of key/value records";
        }
        if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
            return "free-form values are not allowed; use a record, enum, list or simple value";
        }
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            return "it is abstract; use a concrete record or class";
        }
        return "use a record, enum, list, Optional, String, number, boolean, UUID, URI or java.time value";
    }

    private static List<Property> computeProperties(JavaType owner) {
        Class<?> raw = owner.getRawClass();
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = raw; c != null; c = c.getSuperclass()) {
            Arrays.stream(c.getDeclaredFields()).filter(TypeModel::isProperty).forEach(fields::add);
        }
        fields.sort((a, b) -> Integer.compare(order(a), order(b)));
        List<Property> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Field field : fields) {
            JavaType declaring = owner.findSuperType(field.getDeclaringClass());
            JavaType type = typeFactory().resolveMemberType(field.getGenericType(),
                    declaring != null ? declaring.getBindings() : owner.getBindings());
            String name = jsonName(field);
            if (!names.add(name)) {
                throw new UserError(raw.getName() + " has two properties named '" + name + "'");
            }
            result.add(new Property(name, type, nullable(field), description(field)));
        }
        return List.copyOf(result);
    }

    private static List<Property> computeParameters(Method method) {
        List<Property> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Parameter parameter : method.getParameters()) {
            if (isToolContext(parameter)) {
                continue;
            }
            if (!parameter.isNamePresent() && parameter.getAnnotation(JsonProperty.class) == null) {
                throw new UserError("Parameter names of " + method + " are not available: compile with -parameters"
                        + " or name each parameter with @JsonProperty");
            }
            String name = jsonName(parameter);
            if (!names.add(name)) {
                throw new UserError(method + " has two parameters named '" + name + "'");
            }
            result.add(new Property(name, javaType(parameter.getParameterizedType()), nullable(parameter), description(parameter)));
        }
        return List.copyOf(result);
    }

    /**
     * The declarations an annotation on a record component may have propagated to: the field
     * itself, the component, and the canonical constructor's parameter.
     */
    private static List<AnnotatedElement> sources(Field field) {
        List<AnnotatedElement> result = new ArrayList<>(3);
        result.add(field);
        RecordComponent component = component(field);
        if (component != null) {
            result.add(component);
            Parameter parameter = canonicalParameter(field.getDeclaringClass(), component);
            if (parameter != null) {
                result.add(parameter);
            }
        }
        return result;
    }

    private static List<AnnotatedType> annotatedTypes(Field field) {
        List<AnnotatedType> result = new ArrayList<>(3);
        for (AnnotatedElement element : sources(field)) {
            switch (element) {
                case Field f -> result.add(f.getAnnotatedType());
                case RecordComponent c -> result.add(c.getAnnotatedType());
                case Parameter p -> result.add(p.getAnnotatedType());
                default -> {}
            }
        }
        return result;
    }

    private static <A extends Annotation> @Nullable A annotation(Field field, Class<A> type) {
        for (AnnotatedElement element : sources(field)) {
            A found = element.getAnnotation(type);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static @Nullable RecordComponent component(Field field) {
        Class<?> owner = field.getDeclaringClass();
        if (!owner.isRecord()) {
            return null;
        }
        for (RecordComponent c : owner.getRecordComponents()) {
            if (c.getName().equals(field.getName())) {
                return c;
            }
        }
        return null;
    }

    private static @Nullable Parameter canonicalParameter(Class<?> record, RecordComponent component) {
        RecordComponent[] components = record.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        List<String> names = Arrays.stream(components).map(RecordComponent::getName).toList();
        try {
            return record.getDeclaredConstructor(types).getParameters()[names.indexOf(component.getName())];
        } catch (NoSuchMethodException | SecurityException e) {
            return null;
        }
    }

    /** Any annotation named {@code Nullable} counts: jspecify, javax, JetBrains, Checker Framework... */
    private static boolean hasNullable(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJdkType(Class<?> raw) {
        String name = raw.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") || name.startsWith("sun.");
    }

    private static TypeFactory typeFactory() {
        return JsonSchemas.mapper().getTypeFactory();
    }

    private static Character parseChar(String text) {
        if (text.length() != 1) {
            throw new IllegalArgumentException("not a single character");
        }
        return text.charAt(0);
    }

    private static UUID parseUuid(String text) {
        // UUID.fromString accepts short forms such as "1-2-3-4-5"; require the canonical 36 characters.
        if (text.length() != 36) {
            throw new IllegalArgumentException("not a UUID");
        }
        return UUID.fromString(text);
    }
}
