package dev.baton.run;

import dev.baton.model.ModelResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The interceptor chains of a run: the runner's links, then the run's. Composed once per runner;
 * a run that adds none shares the runner's, and a runner without any costs a size check per call.
 */
final class Interceptors {
    static final Interceptors NONE = new Interceptors(List.of(), List.of());

    private final List<ModelInterceptor> model;
    private final List<ToolInterceptor> tool;

    private Interceptors(List<ModelInterceptor> model, List<ToolInterceptor> tool) {
        this.model = List.copyOf(model);
        this.tool = List.copyOf(tool);
    }

    static Interceptors of(List<ModelInterceptor> model, List<ToolInterceptor> tool) {
        return model.isEmpty() && tool.isEmpty() ? NONE : new Interceptors(model, tool);
    }

    /** These chains with a run's own links after them. */
    Interceptors with(List<ModelInterceptor> runModel, List<ToolInterceptor> runTool) {
        if (runModel.isEmpty() && runTool.isEmpty()) {
            return this;
        }
        List<ModelInterceptor> m = new ArrayList<>(model);
        m.addAll(runModel);
        List<ToolInterceptor> t = new ArrayList<>(tool);
        t.addAll(runTool);
        return new Interceptors(m, t);
    }

    boolean noModelLinks() {
        return model.isEmpty();
    }

    boolean noToolLinks() {
        return tool.isEmpty();
    }

    ModelResponse model(ModelInterceptor.ModelCall call, ModelInterceptor.Next last) {
        return model(0, call, last);
    }

    private ModelResponse model(int from, ModelInterceptor.ModelCall call, ModelInterceptor.Next last) {
        if (from == model.size()) {
            return last.proceed(call);
        }
        return model.get(from).intercept(call, c -> model(from + 1, c, last));
    }

    Engine.ToolOutcome tool(ToolInterceptor.ToolInvocation call, ToolInterceptor.Next last) {
        return tool(0, call, last);
    }

    private Engine.ToolOutcome tool(int from, ToolInterceptor.ToolInvocation call, ToolInterceptor.Next last) {
        if (from == tool.size()) {
            return last.proceed(call);
        }
        return tool.get(from).intercept(call, c -> tool(from + 1, c, last));
    }
}
