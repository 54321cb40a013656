package dev.baton.schema;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.deser.std.ReferenceTypeDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.Serializers;
import com.fasterxml.jackson.databind.ser.std.ReferenceTypeSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.type.ReferenceType;
import com.fasterxml.jackson.databind.type.TypeBindings;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.type.TypeModifier;
import com.fasterxml.jackson.databind.util.NameTransformer;
import java.lang.reflect.Type;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link Optional} and {@code java.time} support for the shared mapper. The usual Jackson modules
 * for them (jdk8, jsr310) are not dependencies of Baton, so this provides the small part Baton
 * needs: Optional as a nullable reference, and the java.time values the schemas describe as
 * ISO-8601 strings.
 */
final class JdkTypesModule extends SimpleModule {

    JdkTypesModule() {
        super("baton-jdk-types");
        TypeModel.TEXT_TYPES.forEach((type, text) -> {
            if (type.getPackageName().equals("java.time")) {
                register(type, text.parser());
            }
        });
    }

    @Override
    public void setupModule(SetupContext context) {
        super.setupModule(context);
        context.addTypeModifier(new OptionalTypeModifier());
        context.addDeserializers(new OptionalDeserializers());
        context.addSerializers(new OptionalSerializers());
    }

    private <T> void register(Class<T> type, Function<String, ?> parser) {
        addSerializer(type, ToStringSerializer.instance);
        addDeserializer(type, new TextDeserializer<>(type, parser));
    }

    /** A value read from its ISO-8601 text. */
    private static final class TextDeserializer<T> extends FromStringDeserializer<T> {
        private final transient Function<String, ?> parser;

        TextDeserializer(Class<T> type, Function<String, ?> parser) {
            super(type);
            this.parser = parser;
        }

        @Override
        protected T _deserialize(String value, DeserializationContext ctxt) {
            try {
                @SuppressWarnings("unchecked")
                T parsed = (T) parser.apply(value);
                return parsed;
            } catch (RuntimeException e) {
                // Jackson reports IllegalArgumentException as a bad value; DateTimeParseException is not one.
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }

    /** Makes {@code Optional<X>} a reference type, as Jackson's jdk8 module does. */
    private static final class OptionalTypeModifier extends TypeModifier {
        @Override
        public JavaType modifyType(JavaType type, Type jdkType, TypeBindings bindings, TypeFactory typeFactory) {
            if (type.isReferenceType() || type.isContainerType() || type.getRawClass() != Optional.class) {
                return type;
            }
            return ReferenceType.upgradeFrom(type, type.containedTypeOrUnknown(0));
        }
    }

    private static final class OptionalDeserializers extends Deserializers.Base {
        @Override
        public @Nullable JsonDeserializer<?> findReferenceDeserializer(ReferenceType refType, DeserializationConfig config,
                BeanDescription beanDesc, @Nullable TypeDeserializer contentTypeDeserializer,
                @Nullable JsonDeserializer<?> contentDeserializer) {
            return refType.hasRawClass(Optional.class)
                    ? new OptionalDeserializer(refType, null, contentTypeDeserializer, contentDeserializer)
                    : null;
        }
    }

    private static final class OptionalSerializers extends Serializers.Base {
        @Override
        public @Nullable JsonSerializer<?> findReferenceSerializer(SerializationConfig config, ReferenceType refType,
                BeanDescription beanDesc, @Nullable TypeSerializer contentTypeSerializer,
                @Nullable JsonSerializer<Object> contentValueSerializer) {
            return refType.hasRawClass(Optional.class)
                    ? new OptionalSerializer(refType, contentTypeSerializer, contentValueSerializer)
                    : null;
        }
    }

    /** JSON null (or absence) reads as {@code Optional.empty()}, anything else as a present value. */
    private static final class OptionalDeserializer extends ReferenceTypeDeserializer<Optional<?>> {

        OptionalDeserializer(JavaType fullType, @Nullable ValueInstantiator instantiator,
                @Nullable TypeDeserializer typeDeserializer, @Nullable JsonDeserializer<?> deserializer) {
            super(fullType, instantiator, typeDeserializer, deserializer);
        }

        @Override
        protected OptionalDeserializer withResolved(TypeDeserializer typeDeserializer, JsonDeserializer<?> valueDeserializer) {
            return new OptionalDeserializer(_fullType, _valueInstantiator, typeDeserializer, valueDeserializer);
        }

        @Override
        public Optional<?> getNullValue(DeserializationContext ctxt) {
            return Optional.empty();
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return Optional.empty();
        }

        @Override
        public Optional<?> referenceValue(Object contents) {
            return Optional.ofNullable(contents);
        }

        @Override
        public Optional<?> updateReference(Optional<?> reference, Object contents) {
            return Optional.ofNullable(contents);
        }

        @Override
        public @Nullable Object getReferenced(Optional<?> reference) {
            return reference.orElse(null);
        }
    }

    /** An empty Optional writes as null, a present one as its value. */
    private static final class OptionalSerializer extends ReferenceTypeSerializer<Optional<?>> {

        OptionalSerializer(ReferenceType fullType, @Nullable TypeSerializer typeSerializer,
                @Nullable JsonSerializer<Object> valueSerializer) {
            super(fullType, true, typeSerializer, valueSerializer);
        }

        private OptionalSerializer(OptionalSerializer base, @Nullable BeanProperty property,
                @Nullable TypeSerializer typeSerializer, @Nullable JsonSerializer<?> valueSerializer,
                @Nullable NameTransformer unwrapper, @Nullable Object suppressableValue, boolean suppressNulls) {
            super(base, property, typeSerializer, valueSerializer, unwrapper, suppressableValue, suppressNulls);
        }

        @Override
        protected OptionalSerializer withResolved(BeanProperty property, TypeSerializer typeSerializer,
                JsonSerializer<?> valueSerializer, NameTransformer unwrapper) {
            return new OptionalSerializer(this, property, typeSerializer, valueSerializer, unwrapper,
                    _suppressableValue, _suppressNulls);
        }

        @Override
        public OptionalSerializer withContentInclusion(Object suppressableValue, boolean suppressNulls) {
            return new OptionalSerializer(this, _property, _valueTypeSerializer, _valueSerializer, _unwrapper,
                    suppressableValue, suppressNulls);
        }

        @Override
        protected boolean _isValuePresent(Optional<?> value) {
            return value.isPresent();
        }

        @Override
        protected Object _getReferenced(Optional<?> value) {
            return value.orElseThrow();
        }

        @Override
        protected @Nullable Object _getReferencedIfPresent(Optional<?> value) {
            return value.orElse(null);
        }
    }
}
