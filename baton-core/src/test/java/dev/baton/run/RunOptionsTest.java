package dev.baton.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.guardrail.OutputGuardrail;
import dev.baton.handoff.HandoffInputFilter;
import dev.baton.handoff.HistoryNesting;
import dev.baton.handoff.TransferMessage;
import dev.baton.hook.RunHooks;
import dev.baton.model.Model;
import dev.baton.model.ModelSettings;
import dev.baton.session.Session;
import dev.baton.trace.SpanData;
import dev.baton.trace.Tracer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

    /**
     * One option as a wither sets it: what the wither is (its name and parameter types, to match
     * it against the class), how to apply it, and what the getters read afterwards.
     */
    record Option(String wither, UnaryOperator<RunOptions<Object>> set, Map<String, Object> reads) {}

    /** Stands for null (an unset option) in a snapshot, as {@code Map.of} holds no null. */
    private static final Object UNSET = new Object() {
        @Override
        public String toString() {
            return "unset";
        }
    };
    private static final Object CONTEXT = new Object();
    private static final Session SESSION = Session.inMemory("own-store");
    private static final Model MODEL = request -> {
        throw new AssertionError("not called");
    };
    private static final ModelSettings SETTINGS = ModelSettings.defaults().withTemperature(0.3);
    private static final HandoffInputFilter FILTER = data -> data;
    private static final HistoryNesting NESTING = HistoryNesting.defaults();
    private static final TransferMessage TRANSFER = TransferMessage.fixed("Over to you.");
    private static final Consumer<RunEvent> LISTENER = event -> {};
    private static final RunHooks<Object> HOOKS = new RunHooks<>() {};
    private static final RunErrorHandler ERROR_HANDLER = failure -> java.util.Optional.empty();
    private static final Map<String, RunState.Decision> DECISIONS = Map.of("refund", new RunState.Decision(true, null));
    private static final RunOptions.TraceParent TRACE_PARENT = new RunOptions.TraceParent(
            RunTrace.off(), Tracer.noop().startSpan(null, new SpanData.Custom("caller", Map.of())));
    private static final Engine ENGINE = Engine.inMemory();
    private static final ModelInterceptor MODEL_INTERCEPTOR = (call, next) -> next.proceed(call);
    private static final ToolInterceptor TOOL_INTERCEPTOR = (call, next) -> next.proceed(call);
    private static final InputGuardrail<Object> INPUT_GUARDRAIL =
            InputGuardrail.of("no_secrets", (ctx, agent, input) -> GuardrailOutput.pass());
    private static final OutputGuardrail<Object> OUTPUT_GUARDRAIL =
            OutputGuardrail.of("polite", (ctx, agent, output) -> GuardrailOutput.pass());

    /** Every wither of RunOptions, the package's own included, each with a value unlike the default. */
    private static final List<Option> OPTIONS = List.of(
            new Option("withContext(Object)", o -> o.withContext(CONTEXT), Map.of("context", CONTEXT)),
            new Option("withSession(String)", o -> o.withSession("ticket-42"),
                    Map.of("sessionId", "ticket-42", "session", UNSET)),
            new Option("withSession(Session)", o -> o.withSession(SESSION), Map.of("session", SESSION, "sessionId", UNSET)),
            new Option("withSessionWait(Duration)", o -> o.withSessionWait(Duration.ofSeconds(7)),
                    Map.of("sessionWait", Duration.ofSeconds(7))),
            new Option("withSessionLease(Duration)", o -> o.withSessionLease(Duration.ofSeconds(9)),
                    Map.of("sessionLease", Duration.ofSeconds(9))),
            new Option("withMaxTurns(int)", o -> o.withMaxTurns(3), Map.of("maxTurns", 3)),
            new Option("withoutTurnLimit()", RunOptions::withoutTurnLimit, Map.of("maxTurns", RunOptions.NO_TURN_LIMIT)),
            new Option("withTurnLimit(int)", o -> o.withTurnLimit(4), Map.of("maxTurns", 4)),
            new Option("withModel(String)", o -> o.withModel("gpt-test"), Map.of("modelName", "gpt-test", "model", UNSET)),
            new Option("withModel(Model)", o -> o.withModel(MODEL), Map.of("model", MODEL, "modelName", UNSET)),
            new Option("withModelSettings(ModelSettings)", o -> o.withModelSettings(SETTINGS),
                    Map.of("modelSettings", SETTINGS)),
            new Option("withHandoffInputFilter(HandoffInputFilter)", o -> o.withHandoffInputFilter(FILTER),
                    Map.of("handoffInputFilter", FILTER)),
            new Option("withNestedHandoffHistory(boolean)", o -> o.withNestedHandoffHistory(false),
                    Map.of("nestHandoffHistory", false)),
            new Option("withHistoryNesting(HistoryNesting)", o -> o.withHistoryNesting(NESTING),
                    Map.of("historyNesting", NESTING, "nestHandoffHistory", true)),
            new Option("withTransferMessage(TransferMessage)", o -> o.withTransferMessage(TRANSFER),
                    Map.of("transferMessage", TRANSFER)),
            new Option("withListener(Consumer)", o -> o.withListener(LISTENER), Map.of("listener", LISTENER)),
            new Option("withHooks(RunHooks)", o -> o.withHooks(HOOKS), Map.of("hooks", HOOKS)),
            new Option("withErrorHandler(RunErrorHandler)", o -> o.withErrorHandler(ERROR_HANDLER),
                    Map.of("errorHandler", ERROR_HANDLER)),
            new Option("withHandoffsToCaller(boolean)", o -> o.withHandoffsToCaller(true), Map.of("handoffsToCaller", true)),
            new Option("withTracingDisabled(boolean)", o -> o.withTracingDisabled(true), Map.of("tracingDisabled", true)),
            new Option("withInheritedToolDecisions(Map)", o -> o.withInheritedToolDecisions(DECISIONS),
                    Map.of("inheritedToolDecisions", DECISIONS)),
            new Option("withTraceParent(TraceParent)", o -> o.withTraceParent(TRACE_PARENT),
                    Map.of("traceParent", TRACE_PARENT)),
            new Option("withEngine(Engine)", o -> o.withEngine(ENGINE), Map.of("engine", ENGINE)),
            new Option("withModelInterceptor(ModelInterceptor)", o -> o.withModelInterceptor(MODEL_INTERCEPTOR),
                    Map.of("modelInterceptors", List.of(MODEL_INTERCEPTOR))),
            new Option("withToolInterceptor(ToolInterceptor)", o -> o.withToolInterceptor(TOOL_INTERCEPTOR),
                    Map.of("toolInterceptors", List.of(TOOL_INTERCEPTOR))),
            new Option("withWorkflowName(String)", o -> o.withWorkflowName("support desk"),
                    Map.of("workflowName", "support desk")),
            new Option("withTraceMetadata(Map)", o -> o.withTraceMetadata(Map.of("tenant", "acme")),
                    Map.of("traceMetadata", Map.of("tenant", "acme"))),
            new Option("withInputGuardrails(InputGuardrail[])", o -> o.withInputGuardrails(INPUT_GUARDRAIL),
                    Map.of("inputGuardrails", List.of(INPUT_GUARDRAIL))),
            new Option("withOutputGuardrails(OutputGuardrail[])", o -> o.withOutputGuardrails(OUTPUT_GUARDRAIL),
                    Map.of("outputGuardrails", List.of(OUTPUT_GUARDRAIL))));

    @Test
    void the_table_covers_every_wither_and_every_option() {
        Set<String> withers = new TreeSet<>();
        Set<String> getters = new TreeSet<>();
        for (Method m : RunOptions.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || Modifier.isPrivate(m.getModifiers()) || m.isSynthetic()) {
                continue;
            }
            if (m.getName().startsWith("with")) {
                withers.add(m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                        .collect(Collectors.joining(",", "(", ")")));
            } else if (m.getParameterCount() == 0) {
                getters.add(m.getName());
            }
        }

        assertThat(OPTIONS).extracting(Option::wither).containsExactlyInAnyOrderElementsOf(withers);
        assertThat(OPTIONS.stream().flatMap(o -> o.reads().keySet().stream()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(getters);
    }

    @Test
    void a_wither_returns_a_copy_and_leaves_the_options_it_was_called_on_as_they_were() {
        for (Option option : OPTIONS) {
            for (RunOptions<Object> original : bases()) {
                Map<String, Object> before = snapshot(original);

                RunOptions<Object> changed = option.set().apply(original);

                assertThat(changed).as(option.wither()).isNotSameAs(original);
                assertThat(snapshot(original)).as(option.wither()).isEqualTo(before);
            }
            assertThat(snapshot(option.set().apply(RunOptions.none()))).as(option.wither())
                    .containsAllEntriesOf(option.reads());
        }
        assertThat(snapshot(RunOptions.none())).isEqualTo(defaults());
    }

    @Test
    void every_option_survives_every_later_wither_that_sets_something_else() {
        for (Option first : OPTIONS) {
            for (Option later : OPTIONS) {
                if (!java.util.Collections.disjoint(first.reads().keySet(), later.reads().keySet())) {
                    continue;
                }
                RunOptions<Object> options = later.set().apply(first.set().apply(RunOptions.none()));

                assertThat(snapshot(options)).as(first.wither() + " then " + later.wither())
                        .containsAllEntriesOf(first.reads())
                        .containsAllEntriesOf(later.reads());
            }
        }
    }

    @Test
    void options_that_exclude_each_other_keep_the_last_one_set() {
        assertThat(RunOptions.session("ticket-42").withSession(SESSION).sessionId()).isNull();
        assertThat(RunOptions.none().withSession(SESSION).withSession("ticket-42").session()).isNull();
        assertThat(RunOptions.none().withModel(MODEL).withModel("gpt-test").model()).isNull();
        assertThat(RunOptions.none().withModel("gpt-test").withModel(MODEL).modelName()).isNull();
        assertThat(RunOptions.none().withMaxTurns(3).withoutTurnLimit().maxTurns()).isEqualTo(RunOptions.NO_TURN_LIMIT);
        assertThat(RunOptions.none().withNestedHandoffHistory(false).withHistoryNesting(NESTING).nestHandoffHistory())
                .isTrue();
    }

    @Test
    void a_new_context_keeps_the_hooks_and_guardrails_set_for_the_old_one() {
        RunOptions<Object> options = RunOptions.none().withHooks(HOOKS)
                .withInputGuardrails(INPUT_GUARDRAIL).withOutputGuardrails(OUTPUT_GUARDRAIL);

        RunOptions<String> withText = options.withContext("customer-7");

        assertThat(withText.context()).isEqualTo("customer-7");
        assertThat((Object) withText.hooks()).isSameAs(HOOKS);
        assertThat((Object) withText.inputGuardrails()).isEqualTo(List.of(INPUT_GUARDRAIL));
        assertThat((Object) withText.outputGuardrails()).isEqualTo(List.of(OUTPUT_GUARDRAIL));
    }

    @Test
    void lists_grow_by_each_call_and_the_earlier_copy_keeps_its_own() {
        RunOptions<Object> one = RunOptions.none().withModelInterceptor(MODEL_INTERCEPTOR);
        ModelInterceptor second = (call, next) -> next.proceed(call);

        RunOptions<Object> two = one.withModelInterceptor(second);

        assertThat(one.modelInterceptors()).containsExactly(MODEL_INTERCEPTOR);
        assertThat(two.modelInterceptors()).containsExactly(MODEL_INTERCEPTOR, second);
    }

    @Test
    void invalid_values_are_refused_with_the_option_named() {
        assertThatThrownBy(() -> RunOptions.session(" ")).isInstanceOf(UserError.class)
                .hasMessage("A session id must not be blank");
        assertThatThrownBy(() -> RunOptions.none().withMaxTurns(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTurns must be at least 1, got 0");
        assertThatThrownBy(() -> RunOptions.none().withSessionWait(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("sessionWait must not be negative");
        assertThatThrownBy(() -> RunOptions.none().withSessionLease(Duration.ofMillis(99)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("sessionLease must be at least 100 ms");
        assertThatThrownBy(() -> RunOptions.none().withWorkflowName(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("workflowName");
    }

    /** The options each wither is tried on: none, and each single option set. */
    private static List<RunOptions<Object>> bases() {
        List<RunOptions<Object>> bases = new java.util.ArrayList<>();
        bases.add(RunOptions.none());
        OPTIONS.forEach(o -> bases.add(o.set().apply(RunOptions.none())));
        return bases;
    }

    /** What every getter reads, by getter name (the package-private ones included). */
    private static Map<String, Object> snapshot(RunOptions<?> options) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Method m : RunOptions.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || Modifier.isPrivate(m.getModifiers()) || m.isSynthetic()
                    || m.getParameterCount() != 0 || m.getName().startsWith("with")) {
                continue;
            }
            try {
                m.setAccessible(true);
                values.put(m.getName(), Objects.requireNonNullElse(m.invoke(options), UNSET));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return values;
    }

    /** The values of options nobody set. */
    private static Map<String, Object> defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String getter : snapshot(RunOptions.none()).keySet()) {
            values.put(getter, switch (getter) {
                case "tracingDisabled", "handoffsToCaller" -> false;
                case "inheritedToolDecisions", "traceMetadata" -> Map.of();
                case "modelInterceptors", "toolInterceptors", "inputGuardrails", "outputGuardrails" -> List.of();
                default -> UNSET;
            });
        }
        return values;
    }

}
