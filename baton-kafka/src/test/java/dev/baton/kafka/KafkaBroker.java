package dev.baton.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.jspecify.annotations.Nullable;

/**
 * A real, single-node Apache Kafka broker (KRaft: broker and controller in one process) for tests,
 * run in a child JVM from the Kafka jars on Maven Central. No Docker and no install.
 *
 * <p>The child is the running JVM's {@code java}, with the class path baton-kafka's build lists in
 * the resource {@code kafka-broker.classpath} beside this class (the broker's jars, {@code kafka_2.13}
 * and its dependencies, and slf4j-simple). It listens on two free loopback ports (PLAINTEXT for
 * clients, CONTROLLER for the KRaft quorum), keeps its data in a temporary directory formatted by
 * Kafka's storage tool, and writes its output to a log file under {@code target/kafka-broker/},
 * whose path every failure names. {@link #start()} returns when the broker describes its cluster.
 *
 * <p>Tests start one per class ({@code @BeforeAll}, {@code @AfterAll} → {@link #close()}), create
 * their own topics, and may {@link #kill()} it ({@code kill -9}), {@link #stop()} it gracefully and
 * {@link #restart()} it on the same data and ports.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger BROKERS = new AtomicInteger();
    private static final String CLASSPATH_RESOURCE = "kafka-broker.classpath";

    private final int port;
    private final int controllerPort;
    private final Path directory;
    private final Path logFile;
    private final Path properties;
    private final String classpath;
    private final Thread reaper;
    private @Nullable Process process;
    private Duration lastStartUp = Duration.ZERO;

    private KafkaBroker(Map<String, String> overrides) {
        try {
            this.classpath = brokerClasspath();
            this.port = freePort();
            this.controllerPort = freePort(port);
            this.directory = Files.createTempDirectory("baton-kafka-");
            String name = "broker-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + "-" + ProcessHandle.current().pid() + "-" + BROKERS.incrementAndGet() + ".log";
            Path logs = Path.of("target", "kafka-broker").toAbsolutePath();
            Files.createDirectories(logs);
            this.logFile = logs.resolve(name);
            this.properties = directory.resolve("server.properties");
            Files.writeString(properties, serverProperties(overrides), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.reaper = new Thread(this::destroyChild, "kafka-broker-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Formats a new log directory, starts the broker and waits until it answers. */
    public static KafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Like {@link #start()}, with the consumer group protocol's heartbeats every 500 ms instead of
     * 5 s, so that workers get their partitions soon after they join or another leaves.
     */
    public static KafkaBroker startWithQuickGroups() {
        return start(Map.of(
                "group.consumer.heartbeat.interval.ms", "500",
                "group.consumer.min.heartbeat.interval.ms", "500"));
    }

    /**
     * Like {@link #start()}, with {@code overrides} put into the generated server.properties last
     * (e.g. {@code auto.create.topics.enable=true}).
     */
    public static KafkaBroker start(Map<String, String> overrides) {
        KafkaBroker broker = new KafkaBroker(overrides);
        try {
            broker.format();
            broker.launch();
            return broker;
        } catch (RuntimeException | Error e) {
            broker.close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}, for kafka-clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Settings for this broker, with a short timeout so that a test against a dead broker fails soon. */
    public KafkaSettings settings(String clientId, String groupId) {
        return KafkaSettings.of(bootstrapServers(), clientId, groupId).withTimeout(Duration.ofSeconds(15));
    }

    /** The file the child JVM's output goes to (all its runs, appended). */
    public Path logFile() {
        return logFile;
    }

    /** How long the last start or restart took, from launching the child to the first answer. */
    public Duration lastStartUp() {
        return lastStartUp;
    }

    /** Whether the child JVM is running. */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Creates {@code topic} with {@code partitions} partitions (replication factor 1) and waits for it. */
    public void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(settings("kafka-broker-admin", "unused").adminConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw failure("creating topic " + topic + " failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw failure("creating topic " + topic + " failed: " + e, e);
        }
    }

    /** Stops the broker gracefully (SIGTERM, its controlled shutdown) and waits for the child to exit. */
    public void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw failure("the broker did not stop within " + STOP_TIMEOUT + " of SIGTERM and was killed", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while stopping the broker", e);
        }
    }

    /** Kills the child JVM at once ({@code kill -9}): no shutdown, no flush, as a crash would. */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while killing the broker", e);
        }
    }

    /** Stops the broker if it runs, then starts it again on the same data and ports and waits for it. */
    public void restart() {
        stop();
        launch();
    }

    /** Stops the broker (killing it if it does not stop in time) and deletes its data. */
    @Override
    public void close() {
        try {
            if (isRunning()) {
                try {
                    stop();
                } catch (RuntimeException e) {
                    destroyChild();
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
            deleteRecursively(directory);
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + ", log " + logFile + "]";
    }

    private void format() {
        Process format = child(List.of("kafka.tools.StorageTool", "format",
                "--cluster-id", Uuid.randomUuid().toString(), "--config", properties.toString()));
        try {
            if (!format.waitFor(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly().waitFor();
                throw failure("formatting the log directory did not finish within " + STARTUP_TIMEOUT, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            format.destroyForcibly();
            throw failure("interrupted while formatting the log directory", e);
        }
        if (format.exitValue() != 0) {
            throw failure("formatting the log directory failed (exit " + format.exitValue() + ")", null);
        }
    }

    private void launch() {
        long started = System.nanoTime();
        Process p = child(List.of("kafka.Kafka", properties.toString()));
        process = p;
        KafkaSettings probe = settings("kafka-broker", "unused");
        long deadline = started + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw failure("the broker exited during start-up (exit " + p.exitValue() + ")", null);
            }
            if (System.nanoTime() > deadline) {
                destroyChild();
                throw failure("the broker did not answer within " + STARTUP_TIMEOUT, null);
            }
            try {
                KafkaProbe.awaitReachable(probe, Duration.ofSeconds(2));
                lastStartUp = Duration.ofNanos(System.nanoTime() - started);
                return;
            } catch (KafkaUnavailableException notYet) {
                sleep(Duration.ofMillis(100));
            }
        }
    }

    private Process child(List<String> mainAndArguments) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp", classpath));
        command.addAll(mainAndArguments);
        try {
            Files.writeString(logFile, "\n=== " + LocalDateTime.now() + " " + String.join(" ", mainAndArguments) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            return new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw failure("could not start " + command.get(0) + ": " + e, e);
        }
    }

    private String serverProperties(Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", directory.resolve("data").toString());
        // Topics are created by their users (the transport, the tests), never by a typo'd name.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.segment.bytes", String.valueOf(1024 * 1024));
        // A broker restarted after kill -9 must wait for its old registration to expire before it
        // registers again: 4 s instead of 9.
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("broker.session.timeout.ms", "4000");
        p.put("log.retention.check.interval.ms", "60000");
        p.putAll(overrides);
        StringBuilder text = new StringBuilder("# Written by dev.baton.kafka.KafkaBroker\n");
        p.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private IllegalStateException failure(String what, @Nullable Throwable cause) {
        return new IllegalStateException("Kafka broker at " + bootstrapServers() + ": " + what
                + "; its log: " + logFile + "\n--- last lines of the log ---\n" + tail(logFile, 30), cause);
    }

    private void destroyChild() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String brokerClasspath() throws IOException {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + CLASSPATH_RESOURCE + " beside " + KafkaBroker.class.getName()
                        + ": baton-kafka's build writes it (maven-dependency-plugin build-classpath); build baton-kafka first");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    private static int freePort(int... taken) throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int found = socket.getLocalPort();
                if (taken.length == 0 || taken[0] != found) {
                    return found;
                }
            }
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
