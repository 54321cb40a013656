package dev.baton.schema;

import com.fasterxml.classmate.ResolvedType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaBuilder;
import com.github.victools.jsonschema.generator.SchemaGenerationContext;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Generates strict-mode schemas with victools. Names, nullability, descriptions, property order
 * and scalar/enum schemas all come from {@link TypeModel}, so they match what binding accepts.
 */
final class SchemaFactory {

    private static final ObjectMapper MAPPER = JsonSchemas.mapper();
    private static final SchemaGenerator GENERATOR = createGenerator();

    private SchemaFactory() {}

    static ObjectNode objectSchema(Class<?> type) {
        ObjectNode schema = GENERATOR.generateSchema(type);
        enforceStrict(schema);
        return schema;
    }

    /** The strict schema of any supported type: an object, an enum, a list, a scalar. */
    static ObjectNode valueSchema(Type type) {
        ObjectNode schema = GENERATOR.generateSchema(type);
        enforceStrict(schema);
        return schema;
    }

    static ObjectNode parametersSchema(Method method) {
        SchemaBuilder builder = GENERATOR.buildMultipleSchemaDefinitions();
        Map<Parameter, ObjectNode> references = new LinkedHashMap<>();
        for (Parameter parameter : method.getParameters()) {
            if (!TypeModel.isToolContext(parameter)) {
                references.put(parameter, builder.createSchemaReference(withoutOptional(parameter.getParameterizedType())));
            }
        }
        // Fills in the reference nodes created above, inline or as "$ref"s into the definitions.
        ObjectNode definitions = builder.collectDefinitions("$defs");

        ObjectNode schema = MAPPER.createObjectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        references.forEach((parameter, node) -> {
            ObjectNode property = TypeModel.nullable(parameter) ? nullable(node) : node;
            String description = TypeModel.description(parameter);
            if (description != null) {
                property.put("description", description);
            }
            properties.set(TypeModel.jsonName(parameter), property);
        });
        if (!definitions.isEmpty()) {
            schema.set("$defs", definitions);
        }
        enforceStrict(schema);
        return schema;
    }

    private static SchemaGenerator createGenerator() {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(MAPPER, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT)
                // Enums come from our own definition provider so their values match Jackson's.
                .without(Option.SCHEMA_VERSION_INDICATOR, Option.FLATTENED_ENUMS, Option.FLATTENED_ENUMS_FROM_TOSTRING);
        config.forFields()
                .withIgnoreCheck(field -> !TypeModel.isProperty(field.getRawMember()))
                .withPropertyNameOverrideResolver(field -> isProperty(field) ? TypeModel.jsonName(field.getRawMember()) : null)
                .withNullableCheck(field -> isProperty(field) && TypeModel.nullable(field.getRawMember()))
                .withRequiredCheck(field -> true)
                .withDescriptionResolver(field -> isProperty(field) ? TypeModel.description(field.getRawMember()) : null);
        config.forTypesInGeneral()
                .withDescriptionResolver(scope -> TypeModel.typeDescription(scope.getType().getErasedType()))
                .withCustomDefinitionProvider(SchemaFactory::simpleDefinition)
                .withPropertySorter(SchemaFactory::compareDeclarationOrder);
        return new SchemaGenerator(config.build());
    }

    /** Scalars inline as victools does its own; enums as standard definitions so they can be shared. */
    private static @Nullable CustomDefinition simpleDefinition(ResolvedType type, SchemaGenerationContext context) {
        Class<?> raw = type.getErasedType();
        TypeModel.Kind kind = TypeModel.simpleKind(raw);
        if (kind == null) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode();
        switch (kind) {
            case BOOLEAN -> node.put("type", "boolean");
            case INTEGER -> node.put("type", "integer");
            case NUMBER -> node.put("type", "number");
            case STRING -> {
                node.put("type", "string");
                String format = TypeModel.TEXT_TYPES.get(raw).format();
                if (format != null) {
                    node.put("format", format);
                }
            }
            case ENUM -> {
                List<JsonNode> values = TypeModel.enumValues(raw);
                if (!values.isEmpty() && values.stream().allMatch(JsonNode::isTextual)) {
                    node.put("type", "string");
                } else if (!values.isEmpty() && values.stream().allMatch(JsonNode::isIntegralNumber)) {
                    node.put("type", "integer");
                }
                node.putArray("enum").addAll(values);
                return new CustomDefinition(node);
            }
            default -> throw new IllegalStateException("not a simple kind: " + kind);
        }
        return new CustomDefinition(node, CustomDefinition.DefinitionType.INLINE, CustomDefinition.AttributeInclusion.YES);
    }

    private static boolean isProperty(FieldScope field) {
        return !field.isFakeContainerItemScope();
    }

    private static int compareDeclarationOrder(MemberScope<?, ?> a, MemberScope<?, ?> b) {
        return Integer.compare(order(a), order(b));
    }

    private static int order(MemberScope<?, ?> member) {
        return member.getRawMember() instanceof Field field ? TypeModel.order(field) : Integer.MAX_VALUE;
    }

    private static Type withoutOptional(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == Optional.class) {
            return p.getActualTypeArguments()[0];
        }
        return type;
    }

    /** Lets a schema also accept null: a type union where possible, otherwise {@code anyOf} with null. */
    static ObjectNode nullable(ObjectNode schema) {
        JsonNode type = schema.get("type");
        boolean plain = !schema.has("enum") && !schema.has("$ref") && !schema.has("anyOf") && !schema.has("allOf")
                && !schema.has("oneOf") && !schema.has("const");
        if (plain && type != null && type.isTextual()) {
            if (!type.asText().equals("null")) {
                schema.putArray("type").add(type.asText()).add("null");
            }
            return schema;
        }
        if (plain && type != null && type.isArray()) {
            ArrayNode types = (ArrayNode) type;
            if (!contains(types, "null")) {
                types.add("null");
            }
            return schema;
        }
        ObjectNode wrapper = MAPPER.createObjectNode();
        wrapper.putArray("anyOf").add(MAPPER.createObjectNode().put("type", "null")).add(schema);
        return wrapper;
    }

    /**
     * The strict-mode rules, applied to every object schema including those under {@code $defs}:
     * all properties required (in property order), no additional properties, and an explicit,
     * possibly empty, {@code properties}.
     */
    static void enforceStrict(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (isObjectType(object.get("type"))) {
                JsonNode existing = object.get("properties");
                ObjectNode properties = existing instanceof ObjectNode p ? p : object.putObject("properties");
                ArrayNode required = MAPPER.createArrayNode();
                properties.fieldNames().forEachRemaining(required::add);
                object.set("required", required);
                object.put("additionalProperties", false);
            }
            List<JsonNode> children = new ArrayList<>();
            object.elements().forEachRemaining(children::add);
            children.forEach(SchemaFactory::enforceStrict);
        } else if (node instanceof ArrayNode array) {
            array.forEach(SchemaFactory::enforceStrict);
        }
    }

    private static boolean isObjectType(@Nullable JsonNode type) {
        if (type == null) {
            return false;
        }
        if (type.isTextual()) {
            return type.asText().equals("object");
        }
        return type.isArray() && contains((ArrayNode) type, "object");
    }

    private static boolean contains(ArrayNode array, String text) {
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            if (it.next().asText().equals(text)) {
                return true;
            }
        }
        return false;
    }
}
