package dev.baton.testing;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 support for {@link ScriptedModel}: injects a fresh model into test method parameters,
 * and after each test that passed, {@link ScriptedModel#verify() verifies} those models and the
 * {@code ScriptedModel} fields of the test instance, so a forgotten or unexpected call fails the test.
 * (After a test that already failed it stays quiet, so the first failure is the one you read.)
 *
 * <pre>{@code
 * @ExtendWith(ScriptedModelExtension.class)
 * class RefundTest {
 *     @Test
 *     void refunds_a_double_charge(ScriptedModel model) {
 *         model.forAgent("support_triage", handoffTo("billing_specialist"));
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class ScriptedModelExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ScriptedModelExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ScriptedModel.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ScriptedModel model = ScriptedModel.create();
        injected(context).add(model);
        return model;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            return;
        }
        List<ScriptedModel> models = new ArrayList<>(injected(context));
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (Class<?> c = instance.getClass(); c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.getType() == ScriptedModel.class && !java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                        if (read(field, instance) instanceof ScriptedModel m && !models.contains(m)) {
                            models.add(m);
                        }
                    }
                }
            }
        }
        for (ScriptedModel model : models) {
            model.verify();
        }
    }

    private static @org.jspecify.annotations.Nullable Object read(Field field, Object instance) {
        try {
            field.setAccessible(true);
            return field.get(instance);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot read the ScriptedModel field " + field + " to verify it", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<ScriptedModel> injected(ExtensionContext context) {
        return (List<ScriptedModel>) context.getStore(NAMESPACE)
                .getOrComputeIfAbsent("models", k -> new ArrayList<ScriptedModel>(), List.class);
    }
}
