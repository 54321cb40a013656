package dev.baton.jdbc;

import dev.baton.durable.Approval;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A child JVM of the crash tests. Modes:
 * <ul>
 *   <li>{@code start <store> <dir> <crash> <delayMs> <order:amount>...}: starts one durable run per order
 *       (session {@code ticket-<order>}) and waits for them; the crash point may stop it still first.</li>
 *   <li>{@code resume <store> <dir>}: takes over every run left running, waits until none is left, prints the outcomes.</li>
 *   <li>{@code approve <store> <dir>}: approves every pending call and waits for those runs.</li>
 *   <li>{@code worker <store> <dir> <delayMs> <total> <order:amount>...}: starts its runs and works as a worker until the
 *       store holds {@code total} runs and every one has ended.</li>
 * </ul>
 * Prints one {@code result <order> <status> <output>} line per run it waited for. Runs are leased for
 * 1.5 s unless system property {@code baton.crash.lease-ms} says otherwise.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[2]);
        String crash = mode.equals("start") ? args[3] : "none";
        int delay = mode.equals("start") ? Integer.parseInt(args[4]) : mode.equals("worker") ? Integer.parseInt(args[3]) : 0;
        CrashDesk desk = new CrashDesk(dir, crash, delay);
        try (CrashDesk.Stores stores = CrashDesk.open(args[1])) {
            Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).sessionStore(stores.sessions())
                    .hooks(desk.hooks()).build());
            try (DurableWorker durable = DurableWorker.builder(runner, stores.runs()).agents(desk.triage())
                    .lease(Duration.ofMillis(Long.getLong("baton.crash.lease-ms", 1500))).pollInterval(Duration.ofMillis(100))
                    .takeOver("worker".equals(mode)).build().start()) {
                Map<String, RunHandle> handles = new LinkedHashMap<>();
                switch (mode) {
                    case "start" -> {
                        for (int i = 5; i < args.length; i++) {
                            String[] oa = args[i].split(":");
                            handles.put(oa[0], durable.startRun(desk.triage(), "refund " + oa[0] + " " + oa[1],
                                    RunOptions.session("ticket-" + oa[0])));
                        }
                        System.out.println("started " + handles.size());
                    }
                    case "resume" -> {
                        List<RunHandle> taken = new ArrayList<>();
                        while (!durable.client().runs(RunQuery.all().withStatuses(RunStatus.RUNNING).withLimit(1000)).isEmpty()) {
                            taken.addAll(durable.resumeIncomplete());
                            if (taken.size() > 0 && allTaken(durable, taken)) {
                                break;
                            }
                            Thread.sleep(100);
                        }
                        for (RunHandle h : taken) {
                            handles.put(orderOf(h.record()), h);
                        }
                    }
                    case "approve" -> {
                        for (Approval a : durable.client().pendingApprovals(1000)) {
                            RunHandle h = durable.attach(a.runId());
                            h.approve(a.callId());
                            handles.put(orderOf(h.record()), h);
                        }
                    }
                    case "worker" -> {
                        int total = Integer.parseInt(args[4]);
                        for (int i = 5; i < args.length; i++) {
                            String[] oa = args[i].split(":");
                            durable.startRun(desk.triage(), "refund " + oa[0] + " " + oa[1], RunOptions.session("ticket-" + oa[0]));
                        }
                        System.out.println("started");
                        java.nio.file.Files.writeString(dir.resolve("started.log"), "started " + ProcessHandle.current().pid() + "\n",
                                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                        while (durable.client().runs(RunQuery.all().withLimit(total + 1)).size() < total
                                || !durable.client().runs(RunQuery.all().withStatuses(RunStatus.RUNNING, RunStatus.PAUSED).withLimit(1)).isEmpty()) {
                            Thread.sleep(100);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                }
                for (Map.Entry<String, RunHandle> e : handles.entrySet()) {
                    RunRecord r = e.getValue().result();
                    System.out.println("result " + e.getKey() + " " + r.status() + " " + r.finalOutput());
                }
                System.out.flush();
            }
        }
    }

    /** Whether every run still running is one this process took over. */
    private static boolean allTaken(DurableWorker durable, List<RunHandle> taken) {
        List<String> ids = taken.stream().map(RunHandle::id).toList();
        return durable.client().runs(RunQuery.all().withStatuses(RunStatus.RUNNING).withLimit(1000)).stream()
                .allMatch(r -> ids.contains(r.id()));
    }

    static String orderOf(RunRecord record) {
        String text = ((dev.baton.item.Message) record.input().get(0)).text();
        return text.split(" ")[1];
    }
}
