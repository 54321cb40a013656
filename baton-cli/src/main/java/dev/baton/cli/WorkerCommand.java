package dev.baton.cli;

import dev.baton.cli.desk.Desks;
import dev.baton.kafka.KafkaRuntime;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton worker}: hosts a desk's agents on the publish/subscribe runtime on Kafka until
 * stopped. Workers of one desk form one consumer group and share the sessions; each turn is a
 * durable run in the database (share a PostgreSQL database between machines), so a worker that
 * dies loses nothing: its messages go to another worker, which replays what was recorded.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Host a desk's agents on the runtime on Kafka, until Ctrl-C: workers of a desk share its sessions.",
                "Each turn is a durable run in the database (--db; PostgreSQL across machines). Talk to the desk with:",
                "baton chat --desk DESK --runtime kafka"})
final class WorkerCommand implements Callable<Integer> {
    @ParentCommand
    BatonCli root;

    @Option(names = "--desk", paramLabel = "DESK", defaultValue = "acme", description = "support, acme or rma (default ${DEFAULT-VALUE})")
    String desk;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "The Kafka broker (default: BATON_KAFKA, else " + KafkaOptions.DEFAULT + ")")
    @Nullable String kafka;

    @Option(names = "--id", paramLabel = "NAME", description = "This worker's name in logs and the broker (default: worker-<pid>)")
    @Nullable String id;

    @Override
    public Integer call() {
        Terminal t = root.terminal();
        Workbench.checkDesk(desk);
        String bootstrap = KafkaOptions.bootstrap(kafka, t.env());
        String name = id != null ? id : "worker-" + ProcessHandle.current().pid();
        ModelChoice model = ModelChoice.choose(root.model(), t.env(), true, root.verbose());
        try (model; Stores stores = Workbench.openStores(root.settings());
                RuntimeDesk hosted = RuntimeDesk.open(desk, stores, model, true);
                KafkaRuntime runtime = KafkaOptions.connect(bootstrap, desk, name, group(desk))) {
            hosted.handoffs.host(runtime);
            hosted.humans.bind(runtime);
            t.println("Baton worker " + name + " · desk " + desk + " · Kafka " + bootstrap + " (group " + group(desk) + ") · model "
                    + model.label() + " · store " + stores.label());
            t.println("Hosting " + String.join(", ", hosted.handoffs.agents().stream().sorted().toList()) + "; talk to the desk with: " + Hint.command()
                    + " chat --desk " + desk + " --runtime kafka" + (kafka == null ? "" : " --kafka " + bootstrap)
                    + Approvals.dbOption(root.db()));
            t.println("Stop with Ctrl-C.");
            t.out().flush();
            Thread hook = new Thread(runtime::stop, "baton-worker-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                new CountDownLatch(1).await(); // until interrupted, or the JVM stops (Ctrl-C) and the hook stops the runtime
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                return 0;
            }
            t.println("Worker " + name + " stopped.");
            return 0;
        }
    }

    /** The consumer group of a desk's workers. */
    static String group(String desk) {
        return "baton-desk-" + desk;
    }

}
