/**
 * Durable Baton stores over JDBC. {@link dev.baton.jdbc.SqliteSessionStore} keeps sessions in one
 * SQLite file; schemas are managed by Flyway migrations under {@code db/migration/<database>}.
 */
@NullMarked
package dev.baton.jdbc;

import org.jspecify.annotations.NullMarked;
