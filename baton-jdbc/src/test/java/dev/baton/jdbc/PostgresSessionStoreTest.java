package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.Message;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** What the PostgreSQL session store does beyond the conformance suite: sharing, schema, errors. */
class PostgresSessionStoreTest {

    private static final String URL = PostgresServer.createDatabase("session_store");

    private static PostgresSessionStore open() {
        return PostgresSessionStore.open(URL, PostgresServer.user(), PostgresServer.password());
    }

    private static String newSession() {
        return "pg-test-" + UUID.randomUUID();
    }

    @Test
    void sessions_survive_reopening_and_are_shared_between_stores() {
        String session = newSession();
        try (PostgresSessionStore first = open(); PostgresSessionStore second = open()) {
            first.addItems(session, List.of(Message.user("from the first process")));
            second.addItems(session, List.of(Message.assistant("from the second process")));
            second.setActiveAgent(session, "billing_specialist");

            assertThat(first.items(session, 0)).containsExactly(Message.user("from the first process"),
                    Message.assistant("from the second process"));
            assertThat(first.activeAgent(session)).contains("billing_specialist");
        }
        try (PostgresSessionStore reopened = open()) {
            assertThat(reopened.items(session, 0)).hasSize(2);
            assertThat(reopened.activeAgent(session)).contains("billing_specialist");
        }
    }

    @Test
    void a_keyed_write_from_several_stores_at_once_happens_once() throws Exception {
        String session = newSession();
        int stores = 4;
        List<PostgresSessionStore> opened = new ArrayList<>();
        try {
            for (int i = 0; i < stores; i++) {
                opened.add(open());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(stores * 2)) {
                for (int i = 0; i < stores * 2; i++) {
                    PostgresSessionStore store = opened.get(i % stores);
                    results.add(threads.submit(() -> {
                        start.await();
                        return store.addItemsOnce(session, "run-7/3", List.of(Message.assistant("turn 3"), Message.user("ok")));
                    }));
                }
                start.countDown();
                int added = 0;
                for (Future<Boolean> result : results) {
                    added += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(added).isEqualTo(1);
            }
            assertThat(opened.get(0).items(session, 0)).containsExactly(Message.assistant("turn 3"), Message.user("ok"));
        } finally {
            opened.forEach(PostgresSessionStore::close);
        }
    }

    @Test
    void the_schema_is_migrated_once_with_the_run_tables() throws SQLException {
        String session = newSession();
        try (PostgresSessionStore store = open(); PostgresSessionStore again = open()) {
            store.addItems(session, List.of(Message.user("hi")));
            assertThat(again.items(session, 0)).containsExactly(Message.user("hi"));
        }
        try (Connection c = DriverManager.getConnection(URL, PostgresServer.user(), PostgresServer.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, success FROM baton_schema_history WHERE version IS NOT NULL "
                        + "ORDER BY installed_rank")) {
            List<String> versions = new ArrayList<>();
            while (rs.next()) {
                assertThat(rs.getBoolean(2)).isTrue();
                versions.add(rs.getString(1));
            }
            assertThat(versions).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
        }
    }

    @Test
    void a_data_source_of_the_caller_is_used_and_left_open() throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(URL);
        dataSource.setUser(PostgresServer.user());
        dataSource.setPassword(PostgresServer.password());
        String session = newSession();

        try (PostgresSessionStore store = PostgresSessionStore.open(dataSource)) {
            store.addItems(session, List.of(Message.user("through a data source")));
            assertThat(store.items(session, 0)).containsExactly(Message.user("through a data source"));
            assertThat(store.url()).startsWith(URL);
        }
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
    }

    @Test
    void an_unreachable_server_at_open_is_reported_with_the_url_and_no_password() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/baton?password=s3cret&connectTimeout=2";

        assertThatThrownBy(() -> PostgresSessionStore.open(url, "baton", "s3cret"))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.database()).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/baton?password=***&connectTimeout=2");
                    assertThat(e.getMessage()).startsWith("Cannot open the PostgreSQL session store jdbc:postgresql://127.0.0.1:" + port)
                            .contains("refused")
                            .doesNotContain("s3cret");
                });
    }

    @Test
    void a_server_that_goes_away_mid_call_is_reported_with_the_url_and_the_session() {
        String url = PostgresServer.createDatabase("session_gone");
        String session = newSession();
        try (PostgresSessionStore store = PostgresSessionStore.open(url, PostgresServer.user(), PostgresServer.password(),
                Duration.ofMillis(500))) {
            store.addItems(session, List.of(Message.user("before")));
            String name = url.substring(url.lastIndexOf('/') + 1);
            PostgresServer.execute(PostgresServer.jdbcUrl(), "DROP DATABASE " + name + " WITH (FORCE)");

            assertThatThrownBy(() -> store.items(session, 0))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.database()).isEqualTo(url);
                        assertThat(e.getMessage()).startsWith("The PostgreSQL session store " + url
                                + " failed to read the items of session '" + session + "': ");
                    });
        }
    }

    @Test
    void a_corrupted_item_is_reported_with_its_session_and_position_and_kept() throws SQLException {
        String session = newSession();
        try (PostgresSessionStore store = open()) {
            store.addItems(session, List.of(Message.user("fine"), Message.assistant("about to break")));
            PostgresServer.execute(URL, "UPDATE session_items SET item = '{\"type\":\"telegram\"}' WHERE session_id = '"
                    + session + "' AND position = 2");

            assertThatThrownBy(() -> store.items(session, 0)).isInstanceOfSatisfying(StoreException.class, e -> {
                assertThat(e.database()).isEqualTo(URL);
                assertThat(e.getMessage()).startsWith("The PostgreSQL session store " + URL
                        + " has a corrupted row in table session_items for session '" + session + "' at position 2: ");
            });
            assertThatThrownBy(() -> store.popItem(session)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("at position 2");
        }
        try (Connection c = DriverManager.getConnection(URL, PostgresServer.user(), PostgresServer.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM session_items WHERE session_id = '" + session + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("items left after the failed pop").isEqualTo(2);
        }
    }

    @Test
    void a_closed_store_refuses_calls() {
        PostgresSessionStore store = open();
        store.close();
        store.close();

        assertThatThrownBy(() -> store.items("any", 0)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.getMessage()).isEqualTo("Cannot read the items of session 'any': the PostgreSQL session store "
                        + URL + " is closed"));
    }
}
