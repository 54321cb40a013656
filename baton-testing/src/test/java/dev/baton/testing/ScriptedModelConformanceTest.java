package dev.baton.testing;

import dev.baton.model.Model;

/** The reference implementation of the support-flow script passes the model suite. */
class ScriptedModelConformanceTest extends ModelConformance {
    @Override
    protected Model createModel() {
        return ScriptedModel.answering(ConformanceScript::supportFlow);
    }
}
