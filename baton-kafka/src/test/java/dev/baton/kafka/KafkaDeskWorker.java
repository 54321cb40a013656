package dev.baton.kafka;

import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.handoff.HandoffDesk;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker JVM of the Kafka desk tests and measurement: hosts {@link KafkaDesk}'s agents on a
 * {@link KafkaRuntime} in the given consumer group, its turns journaled in PostgreSQL
 * ({@link HandoffDesk.Builder#journaled(dev.baton.durable.RunStore, Duration)}), its sessions there
 * too. Once its consumer owns partitions it appends {@code ready <pid>} to {@code ready.log} in the
 * directory; it stops in order when its standard input ends (the parent closes it), writing its
 * turn-start timings to {@code timings-<pid>.log} if asked to keep them.
 *
 * <p>Arguments: {@code <bootstrap> <group> <topicPrefix> <jdbcUrl> <user> <password> <dir>
 * <modelDelayMs> <leaseMs> <logCalls> <timings> [journal]}, where {@code journal} is {@code none} for turns
 * that are not journaled and sessions kept in the worker's memory (Kafka alone, as a baseline).
 */
public final class KafkaDeskWorker {
    private KafkaDeskWorker() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String group = args[1];
        String prefix = args[2];
        Path dir = Path.of(args[6]);
        int modelDelay = Integer.parseInt(args[7]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[8]));
        boolean logCalls = Boolean.parseBoolean(args[9]);
        boolean timed = Boolean.parseBoolean(args[10]);
        long pid = ProcessHandle.current().pid();
        KafkaDesk desk = new KafkaDesk(logCalls ? dir : null, modelDelay);
        KafkaDesk.Timings timings = new KafkaDesk.Timings();
        try (KafkaDesk.Stores stores = KafkaDesk.Stores.open(args[3], args[4], args[5])) {
            // "none": turns run by the runner alone, the session in this JVM's memory (a measurement's baseline of Kafka alone)
            boolean journaled = !(args.length > 11 && args[11].equals("none"));
            RunConfig.Builder config = RunConfig.builder().defaultModel(desk.model())
                    .sessionStore(journaled ? stores.sessions() : new dev.baton.session.InMemorySessionStore());
            if (timed) {
                config.hooks(desk.timing(timings));
            }
            Runner runner = Runner.create(config.build());
            MessageTypes types = new MessageTypes();
            HandoffDesk.registerMessageTypes(types);
            KafkaSettings settings = KafkaSettings.of(bootstrap, "worker-" + pid, group).withTopicPrefix(prefix)
                    .withTimeout(Duration.ofSeconds(10));
            HandoffDesk.Builder<Void> deskBuilder = HandoffDesk.builder(desk.triage(), runner).name(KafkaDesk.DESK);
            if (journaled) {
                deskBuilder.journaled(stores.runs(), lease);
            }
            Integer atOnce = Integer.getInteger("kafkaDesk.turnsAtOnce");
            if (atOnce != null) {
                deskBuilder.maxConcurrentTurns(atOnce);
            }
            try (HandoffDesk<Void> handoffs = deskBuilder.build();
                    KafkaRuntime runtime = KafkaRuntime.builder(settings).codec(new MessageCodec(types)).build()) {
                handoffs.host(runtime);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (runtime.assignment().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Files.writeString(dir.resolve("ready.log"), "ready " + pid + " " + runtime.assignment().size() + "\n",
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                System.out.println("ready " + pid);
                System.out.flush();
                drain(System.in);
                runtime.stop();
            }
        }
        if (timed) {
            timings.writeTo(dir.resolve("timings-" + pid + ".log"));
        }
        System.out.println("stopped " + pid);
    }

    /** Reads until the parent closes the stream. */
    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // nothing to read but the end
            }
        } catch (IOException e) {
            // the parent is gone: stop as well
        }
    }

    /** The command line of a worker JVM on this JVM's class path. */
    static List<String> command(List<String> jvmOptions, List<String> args) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KafkaDeskWorker.class.getName()));
        command.addAll(args);
        return command;
    }
}
