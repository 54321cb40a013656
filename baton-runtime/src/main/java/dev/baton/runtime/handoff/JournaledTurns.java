package dev.baton.runtime.handoff;

import dev.baton.RunStoreFailed;
import dev.baton.SessionStoreFailed;
import dev.baton.ToolProviderFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.durable.Approval;
import dev.baton.durable.Decision;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.internal.TimeOrderedIds;
import dev.baton.item.Item;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.session.SessionStore;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns journaled in a run store by a {@link DurableWorker}: each turn is a durable run whose id
 * is made from the id of the message that asked for it. A message delivered again (its worker died
 * before committing it) finds the run its first delivery started: ended, it is only read back;
 * left running by a dead worker, it is taken and replayed, its recorded model and tool calls not
 * made again.
 */
final class JournaledTurns implements Turns {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final DurableWorker worker;
    private final String application;
    private final SessionStore sessions;
    private final Duration poll;
    /** How often a turn takes its run back here after the run failed here, before the turn fails. */
    private static final int LOCAL_FAILURES = 3;
    /** How often a turn looks at a run that another live worker is finishing. */
    private static final Duration STILL_ELSEWHERE = Duration.ofMillis(200);

    JournaledTurns(DurableWorker worker, String application, SessionStore sessions, Duration poll) {
        this.worker = worker;
        this.application = application;
        this.sessions = sessions;
        this.poll = poll;
    }

    /**
     * The run id of the turn asked for by message {@code turnId}: the same for every delivery, safe in
     * a URL, and beginning with the message's millisecond when its id carries one, so that turns'
     * runs sort by time in the store's indexes (decision 63).
     */
    static String runIdOf(String turnId) {
        return "turn_" + TimeOrderedIds.derivedHex32(turnId, turnId);
    }

    @Override
    public <C> Turn take(String turnId, Agent<C> agent, List<Item> input, RunOptions<C> options) {
        return outcome(worker.startRunOnce(runIdOf(turnId), application, agent, input, options));
    }

    @Override
    public <C> Turn decide(Agent<C> agent, Turn.Paused paused, List<ApprovalDecision> decisions, RunOptions<C> options) {
        RunHandle run = worker.attach(paused.runId());
        boolean decidedHere = false;
        for (ApprovalDecision d : decisions) {
            if (run.status() != RunStatus.PAUSED) {
                break; // decided by an earlier delivery of these decisions: the run went on
            }
            try {
                run.decide(d.callId(), new Decision(d.approved(), d.always(), d.message(), d.by()));
                decidedHere = true; // the worker here continues the run once its last call is decided
            } catch (UserError e) {
                if (run.status() == RunStatus.PAUSED) {
                    throw e;
                }
            }
        }
        if (!decidedHere) {
            // Decided elsewhere (the approvals inbox, another process's client): the run waits for a worker, which is here.
            worker.resume(run.id());
        }
        return outcome(run);
    }

    /**
     * Waits for the run to end or pause, taking it over when the worker that executed it died.
     *
     * <p>A run this process stopped on an outage (a write to the run or session store failed, its
     * lease was lost and its execution interrupted, or a tool source such as an MCP server could not
     * list its tools) stays resumable, and another process may be finishing it: its stored record
     * decides, not the failure this process remembers. So the turn waits for the record to settle,
     * taking the run back when nobody holds it, and fails only when the store cannot be read or the
     * run stopped here {@value #LOCAL_FAILURES} times in a row. The run itself stays resumable then:
     * the message delivered again, or the worker's own retake, continues it once what was down is back.
     */
    private Turn outcome(RunHandle run) {
        RunRecord record;
        int failures = 0;
        while (true) {
            Optional<RunRecord> settled;
            try {
                settled = run.await(poll);
            } catch (RunStoreFailed | SessionStoreFailed | ToolProviderFailed e) {
                RunRecord now = run.record();  // a store that cannot be read fails the turn here
                if (now.status().isTerminal() || now.status() == RunStatus.PAUSED) {
                    settled = Optional.of(now);
                } else if (e instanceof ToolProviderFailed) {
                    if (++failures >= LOCAL_FAILURES) {
                        throw e; // asked again and again: the turn fails now, and the run is taken up later
                    }
                    sleep(STILL_ELSEWHERE); // the source may be starting again; the worker's own retake may take the run first
                    worker.resume(run.id());
                    continue;
                } else if (worker.resume(run.id()).isPresent()) {
                    if (++failures >= LOCAL_FAILURES) {
                        throw e;
                    }
                    continue;
                } else {
                    sleep(STILL_ELSEWHERE);  // held by a live worker elsewhere: wait for its record
                    continue;
                }
            }
            if (settled.isPresent()) {
                record = settled.get();
                break;
            }
            worker.resume(run.id());
        }
        if (record.status() == RunStatus.COMPLETED) {
            Optional<RunResult> local = run.localResult();
            if (local.isPresent()) {
                return RunnerTurns.of(local.get()); // executed and recorded here: nothing to read back
            }
        }
        List<Item> conversation = record.sessionId() == null ? List.of() : sessions.items(record.sessionId(), 0);
        return switch (record.status()) {
            case COMPLETED -> completed(run, record, conversation);
            case PAUSED -> new Turn.Paused(record.id(), record.currentAgent(), pending(run), conversation, null);
            case FAILED -> throw new IllegalStateException("Turn " + record.id() + " of agent '" + record.currentAgent()
                    + "' failed: " + record.error());
            case CANCELLED -> throw new IllegalStateException("Turn " + record.id() + " of agent '" + record.currentAgent()
                    + "' was cancelled: " + record.error());
            case RUNNING -> throw new IllegalStateException("run " + record.id() + " settled while running");
        };
    }

    private static Turn completed(RunHandle run, RunRecord record, List<Item> conversation) {
        if (record.finalOutput() == null) {
            Set<String> targets = new LinkedHashSet<>();
            String from = record.startAgent();
            for (RunEvent e : run.history().runEvents()) {
                if (e instanceof RunEvent.HandoffOccurred h) {
                    targets.add(h.to());
                    from = h.from();
                }
            }
            if (!targets.isEmpty()) {
                return new Turn.HandedOff(record.id(), from, List.copyOf(targets), conversation);
            }
        }
        return new Turn.Answered(record.id(), record.currentAgent(), text(record.finalOutput()), conversation);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a run held elsewhere", e);
        }
    }

    /** The final output's text: a JSON string's value, else the JSON itself (a structured output). */
    private static String text(String finalOutput) {
        if (finalOutput == null) {
            return "";
        }
        try {
            var node = JSON.readTree(finalOutput);
            return node.isTextual() ? node.asText() : finalOutput;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return finalOutput;
        }
    }

    private static List<ApprovalRequest> pending(RunHandle run) {
        return run.approvals().stream().filter(a -> a.status() == Approval.Status.PENDING)
                .map(a -> new ApprovalRequest(a.callId(), a.agent(), a.tool(), a.arguments())).toList();
    }
}
