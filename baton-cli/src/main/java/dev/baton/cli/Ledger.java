package dev.baton.cli;

import dev.baton.UserError;
import dev.baton.durable.Approval;
import dev.baton.durable.DurableClient;
import dev.baton.durable.RunHistory;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.jdbc.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the commands that only read ({@code runs list}, {@code runs show}, {@code approvals list})
 * work with: the stores and a {@link DurableClient}, with no desks, no model and no worker. Building
 * those costs a command a good part of its start-up, and none of it is needed to read the records.
 */
final class Ledger implements AutoCloseable {
    private final AutoCloseable stores;
    private final DurableClient client;

    private Ledger(RunStore runs, AutoCloseable stores) {
        this.stores = stores;
        this.client = DurableClient.builder(runs).build();
    }

    /**
     * Opens the database the settings name. An existing SQLite file is opened read-only, so a file
     * this process may not write can still be listed; a file whose schema is behind, a new default
     * file, or PostgreSQL is opened as {@link Workbench#open} opens it.
     *
     * @throws CliError if the database does not exist or cannot be opened
     */
    static Ledger open(Workbench.Settings settings) {
        Optional<Path> file = Workbench.sqliteFile(settings);
        if (file.isPresent() && Files.isRegularFile(file.get())) {
            try {
                SqliteRunStore runs = SqliteRunStore.openReadOnly(file.get());
                return new Ledger(runs, runs);
            } catch (StoreException e) {
                // A schema to migrate, or a file that is not a database: the writable open migrates it or says what is wrong.
            }
        }
        Stores stores = Workbench.openStores(settings);
        return new Ledger(stores.runs(), stores);
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
            try {
                stores.close();
            } catch (Exception e) {
                // Nothing was written: closing read connections has nothing left to lose.
            }
        }
    }
}
