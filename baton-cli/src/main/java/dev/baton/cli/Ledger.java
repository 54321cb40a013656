package dev.baton.cli;

import dev.baton.UserError;
import dev.baton.durable.Approval;
import dev.baton.durable.DurableClient;
import dev.baton.durable.RunHistory;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import java.util.List;

/**
 * What the commands that only read ({@code runs list}, {@code runs show}, {@code approvals list})
 * work with: the stores and a {@link DurableClient}, with no desks, no model and no worker. Building
 * those costs a command a good part of its start-up, and none of it is needed to read the records.
 */
final class Ledger implements AutoCloseable {
    private final Stores stores;
    private final DurableClient client;

    private Ledger(Stores stores) {
        this.stores = stores;
        this.client = DurableClient.builder(stores.runs()).build();
    }

    /**
     * Opens the database the settings name, as {@link Workbench#open} does.
     *
     * @throws CliError if the database does not exist or cannot be opened
     */
    static Ledger open(Workbench.Settings settings) {
        return new Ledger(Workbench.openStores(settings));
    }

    /** Runs matching the query, newest first. */
    List<RunRecord> runs(RunQuery query) {
        return client.runs(query);
    }

    /** Calls waiting for a decision, across runs, oldest first. */
    List<Approval> pendingApprovals(int limit) {
        return client.pendingApprovals(limit);
    }

    /**
     * One run with its events, steps and approvals.
     *
     * @throws CliError if the store has no run with this id
     */
    RunHistory history(String runId) {
        try {
            return client.history(runId);
        } catch (UserError e) {
            throw new CliError("unknown run '" + runId + "' (see: " + Hint.command() + " runs list)");
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            stores.close();
        }
    }
}
