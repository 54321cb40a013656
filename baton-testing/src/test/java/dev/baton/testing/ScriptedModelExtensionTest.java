package dev.baton.testing;

import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstances;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ScriptedModelExtensionTest {

    @Nested
    @ExtendWith(ScriptedModelExtension.class)
    class Used_in_a_test {
        final ScriptedModel fieldModel = ScriptedModel.create().then(reply("field"));

        @Test
        void injects_a_fresh_model_and_verifies_it_and_the_fields_after_the_test(ScriptedModel model) {
            model.forAgent("support_triage", handoffTo("billing_specialist")).forAgent("billing_specialist", reply("Done."));

            Desk.run(model, "hello");
            fieldModel.respond(ScriptedModelTest.request("anyone"));

            assertThat(model.callCount()).isEqualTo(2);
        }
    }

    /** A test instance as the extension sees it. */
    static final class FakeTest {
        final ScriptedModel model;

        FakeTest(ScriptedModel model) {
            this.model = model;
        }
    }

    @Test
    void after_a_passing_test_a_model_field_with_unused_steps_fails_it() {
        FakeTest test = new FakeTest(ScriptedModel.create().then(reply("never used")));

        assertThatThrownBy(() -> new ScriptedModelExtension().afterEach(context(test, Optional.empty())))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("reply(\"never used\")");
    }

    @Test
    void after_a_failed_test_it_stays_quiet_so_the_first_failure_is_the_one_reported() {
        FakeTest test = new FakeTest(ScriptedModel.create().then(reply("never used")));

        assertThatCode(() -> new ScriptedModelExtension().afterEach(context(test, Optional.of(new AssertionError("first")))))
                .doesNotThrowAnyException();
    }

    @Test
    void a_fully_used_model_field_passes() {
        FakeTest test = new FakeTest(ScriptedModel.create().then(reply("used")));
        test.model.respond(ScriptedModelTest.request("agent"));

        assertThatCode(() -> new ScriptedModelExtension().afterEach(context(test, Optional.empty())))
                .doesNotThrowAnyException();
    }

    /** Just enough of an ExtensionContext for afterEach. */
    private static ExtensionContext context(Object testInstance, Optional<Throwable> failure) {
        Map<Object, Object> store = new HashMap<>();
        ExtensionContext.Store fakeStore = proxy(ExtensionContext.Store.class, (method, args) -> switch (method) {
            case "getOrComputeIfAbsent", "computeIfAbsent" -> store.computeIfAbsent(args[0], k -> {
                @SuppressWarnings("unchecked")
                Function<Object, Object> create = (Function<Object, Object>) args[1];
                return create.apply(k);
            });
            default -> throw new UnsupportedOperationException(method);
        });
        TestInstances instances = proxy(TestInstances.class, (method, args) -> switch (method) {
            case "getAllInstances" -> List.of(testInstance);
            case "getInnermostInstance" -> testInstance;
            default -> throw new UnsupportedOperationException(method);
        });
        return proxy(ExtensionContext.class, (method, args) -> switch (method) {
            case "getExecutionException" -> failure;
            case "getRequiredTestInstances" -> instances;
            case "getStore" -> fakeStore;
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> answer.answer(method.getName(), args)));
    }
}
