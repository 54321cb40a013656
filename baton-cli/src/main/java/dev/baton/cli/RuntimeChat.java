package dev.baton.cli;

import dev.baton.human.HumanChannel;
import dev.baton.runtime.AgentRuntime;
import dev.baton.runtime.InProcessRuntime;
import dev.baton.runtime.Subscription;
import dev.baton.runtime.handoff.RuntimeHumans;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * {@code baton chat --runtime ...}: the desk's agents on the publish/subscribe runtime (the handoff
 * pattern of seed 001), the customer, the operator answering for the human agent and the person
 * deciding approvals at this console, all as subscribers of the session's topics.
 */
final class RuntimeChat {
    static final String IN_PROCESS = "inprocess";
    static final String KAFKA = "kafka";

    private RuntimeChat() {}

    /** Chats in this process: the desk's agents run here. */
    static int inProcess(Terminal t, Workbench.Settings settings, String deskName, @Nullable String session) {
        ModelChoice model = ModelChoice.choose(settings.model(), t.env(), settings.offlineUnlessNamed(), settings.verbose());
        try (model; Stores stores = Workbench.openStores(settings); RuntimeDesk desk = RuntimeDesk.open(deskName, stores, model, true);
                InProcessRuntime runtime = InProcessRuntime.create()) {
            desk.handoffs.host(runtime);
            desk.humans.bind(runtime);
            return converse(t, runtime, desk, stores, session, "runtime in process · model " + model.label() + " · store " + stores.label(),
                    "--runtime " + IN_PROCESS + Approvals.dbOption(settings.db()), false);
        }
    }

    /**
     * Chats with a desk whose agents run on workers ({@code baton worker}) on Kafka: this console
     * hosts the customer, the operator and the approver of its session, in a consumer group of its
     * own per session (a continued session picks up where its last chat stopped reading).
     */
    static int onKafka(Terminal t, Workbench.Settings settings, String deskName, @Nullable String session, String bootstrap) {
        ModelChoice model = ModelChoice.choose(settings.model(), t.env(), settings.offlineUnlessNamed(), settings.verbose());
        String id = session != null ? session : Workbench.newSessionId(deskName);
        try (model; Stores stores = Workbench.openStores(settings); RuntimeDesk desk = RuntimeDesk.open(deskName, stores, model, false);
                dev.baton.kafka.KafkaRuntime runtime = KafkaOptions.connect(bootstrap, deskName, "chat-" + id, "baton-chat-" + id)) {
            return converse(t, runtime, desk, stores, id, "runtime on Kafka " + bootstrap + " (agents on the workers of group "
                    + WorkerCommand.group(deskName) + ") · store " + stores.label(),
                    "--runtime " + KAFKA + " --kafka " + bootstrap + Approvals.dbOption(settings.db()), true);
        }
    }

    /**
     * Hosts the console's subscribers on {@code runtime}, opens the session and waits until the
     * customer leaves (a leaving line, or the end of the input). With {@code awaitLeaving} it waits
     * for that even while this process has nothing to do: the desk's agents run on workers, so an idle
     * console is only waiting for their answer. Without it (agents in this process) an idle runtime
     * means the conversation has ended.
     */
    static int converse(Terminal t, AgentRuntime runtime, RuntimeDesk desk, Stores stores, @Nullable String session, String where,
            String runtimeOptions, boolean awaitLeaving) {
        String id = session != null ? session : Workbench.newSessionId(desk.desk.name());
        boolean known = !stores.sessions().items(id, 0).isEmpty();
        t.println("Baton · desk " + desk.desk.name() + " · " + where);
        t.println((known ? "Continuing session " + id + " with " : "New session " + id + " · " + desk.desk.title() + " · talking to ")
                + desk.handoffs.holder(id));
        t.println("Type a message; " + ChatCommand.QUIT + " or end of input leaves, " + ChatCommand.HELP + " lists the commands.");
        CountDownLatch left = new CountDownLatch(1);
        HumanChannel operator = Operators.console(t);
        // The operator topic carries every session's questions (and, for a new console, those of earlier
        // sessions): this console's person answers those of its own session only, and leaves the others
        // to the consoles of their sessions (on a shared broker, each console's group gets every question).
        RuntimeHumans.hostOperator(runtime, operator, id::equals);
        desk.handoffs.hostUser(runtime, new ConsolePerson(t, id, stores.sessions().items(id, 0).size(), left::countDown));
        runtime.register(ConsoleApprover.TYPE, agent -> new ConsoleApprover(t, desk.desk, id, left::countDown));
        runtime.subscribe(Subscription.byType(desk.handoffs.approvalsTopic(), ConsoleApprover.TYPE));
        desk.handoffs.login(runtime, id);
        if (awaitLeaving) {
            try {
                left.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                runtime.stop();
                return CliError.FAILED;
            }
        }
        runtime.stopWhenIdle();
        t.println("Session " + id + " is saved · continue with: " + Hint.command() + " chat " + runtimeOptions + " --session " + id);
        return 0;
    }
}
