package dev.baton.offline;

import dev.baton.model.Model;
import dev.baton.testing.ModelConformance;

/**
 * The offline model passes the model suite on its own rules: it routes the double charge to
 * billing, fills the invoice id from the message and summarises the invoice in its own words.
 */
class OfflineModelConformanceTest extends ModelConformance {
    @Override
    protected Model createModel() {
        return OfflineModel.create();
    }

    @Override
    protected boolean repliesWithScriptedText() {
        return false;
    }
}
