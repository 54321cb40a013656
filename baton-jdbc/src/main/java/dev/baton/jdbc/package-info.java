/**
 * Durable Baton stores over JDBC: sessions ({@link dev.baton.jdbc.SqliteSessionStore},
 * {@link dev.baton.jdbc.PostgresSessionStore}) and durable runs with their journal, events and
 * approvals ({@link dev.baton.jdbc.SqliteRunStore}, {@link dev.baton.jdbc.PostgresRunStore}).
 * SQLite is the default: one file, shared by both stores. PostgreSQL lets several processes share
 * sessions and runs. Schemas are managed by Flyway migrations under {@code db/migration/<database>}.
 * Each kind of store is written once, over a dialect that supplies what differs between the two
 * databases; the four classes above open a database and pick its dialect.
 */
@NullMarked
package dev.baton.jdbc;

import org.jspecify.annotations.NullMarked;
