package dev.baton.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.UserError;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.item.Image;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A run paused for human approval of tool calls: everything needed to continue it, here or in
 * another JVM. Decide each pending call with {@link #approve}, {@link #reject} (or their
 * "always" variants, which stick for the rest of the run), then pass the state to
 * {@code Runner.resume}. {@link #toJson()} and {@link #fromJson(String)} carry it across processes;
 * the JSON is versioned.
 *
 * <p>The context object is not part of the state: give it again in the resume options. Decisions
 * are recorded on this object (it is not thread-safe). Guardrail results and model responses from
 * before the pause are kept; after a trip through JSON, a guardrail's {@code info} comes back as
 * plain JSON values (maps, lists, strings, numbers).
 */
public final class RunState {
    /** The version of the JSON format this build writes; it also reads version 1. */
    public static final int VERSION = 2;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** An agent by name and definition fingerprint (see {@code Agent.fingerprint()}). */
    public record AgentId(String name, String fingerprint) {}

    /** A decision on a call; {@code message} is what the model reads for a rejection. */
    public record Decision(boolean approved, @Nullable String message) {}

    /**
     * The run's own options that steer its course and can travel as data. A resumed run keeps
     * them unless the resume options set them again; options that are code (a model object,
     * filters, hooks, handlers, guardrails) are not part of the state and are given again.
     *
     * @param maxTurns the turn limit ({@link RunOptions#NO_TURN_LIMIT} for none), or null for the runner's
     * @param sessionWaitMillis the run's own session wait in milliseconds, or null for the runner's
     * @param sessionLeaseMillis the run's own session lease in milliseconds, or null for the runner's
     * @param handoffsToCaller whether the run's handoffs go back to its caller ({@link RunOptions#withHandoffsToCaller})
     */
    record Carried(@Nullable Integer maxTurns, @Nullable String modelName, dev.baton.model.@Nullable ModelSettings modelSettings,
            @Nullable Boolean nestHandoffHistory, boolean tracingDisabled, @Nullable String workflowName,
            @Nullable Long sessionWaitMillis, @Nullable Long sessionLeaseMillis, boolean handoffsToCaller) {
        static final Carried NONE = new Carried(null, null, null, null, false, null, null, null, false);

        static <C> Carried of(RunOptions<C> options) {
            return new Carried(options.maxTurns(), options.modelName(), options.modelSettings(), options.nestHandoffHistory(),
                    options.tracingDisabled(), options.workflowName(),
                    options.sessionWait() == null ? null : options.sessionWait().toMillis(),
                    options.sessionLease() == null ? null : options.sessionLease().toMillis(), options.handoffsToCaller());
        }

        /** {@code given} with what it leaves unset taken from this state. */
        <C> RunOptions<C> under(RunOptions<C> given) {
            RunOptions<C> out = given;
            if (given.maxTurns() == null && maxTurns != null) {
                out = out.withTurnLimit(maxTurns);
            }
            if (given.modelName() == null && given.model() == null && modelName != null) {
                out = out.withModel(modelName);
            }
            if (given.modelSettings() == null && modelSettings != null) {
                out = out.withModelSettings(modelSettings);
            }
            if (given.nestHandoffHistory() == null && nestHandoffHistory != null) {
                out = out.withNestedHandoffHistory(nestHandoffHistory);
            }
            if (!given.tracingDisabled() && tracingDisabled) {
                out = out.withTracingDisabled(true);
            }
            if (given.workflowName() == null && workflowName != null) {
                out = out.withWorkflowName(workflowName);
            }
            if (given.sessionWait() == null && sessionWaitMillis != null) {
                out = out.withSessionWait(java.time.Duration.ofMillis(sessionWaitMillis));
            }
            if (given.sessionLease() == null && sessionLeaseMillis != null) {
                out = out.withSessionLease(java.time.Duration.ofMillis(sessionLeaseMillis));
            }
            if (!given.handoffsToCaller() && handoffsToCaller) {
                out = out.withHandoffsToCaller(true);
            }
            return out;
        }
    }

    /** The output of a call of the paused turn that already ran. */
    record Done(String output, boolean error, @Nullable String handoffTo,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Image> images) {
        Done {
            images = images == null ? List.of() : List.copyOf(images); // absent in states saved before images
        }
    }

    /**
     * The loop's state when the run paused (see {@code LoopState}), which the resumed loop starts
     * from.
     *
     * @param seq the sequence number of the resumed run's first event
     * @param inputHistory what the active agent's model read before the visible run items
     * @param visible the run items the active agent's model reads
     * @param newItems every item the run produced before the paused turn
     */
    record Loop(
            String runId,
            long seq,
            AgentId startAgent,
            AgentId currentAgent,
            @Nullable String sessionId,
            List<Item> startInput,
            List<Item> inputHistory,
            List<RunItem> visible,
            List<RunItem> newItems,
            int turns,
            Map<String, Usage> usageByAgent,
            boolean resetToolChoice,
            List<GuardrailResult> guardrailResults,
            List<ModelResponse> responses) {}

    /**
     * The paused turn.
     *
     * @param output the model's output, resolved again on resume
     * @param done outputs of the turn's calls that already ran, by call id
     * @param pending the calls waiting for a decision, nested runs' included
     * @param nested paused nested runs (agents used as tools), by the calling tool call's id
     */
    record Pause(List<Item> output, Map<String, Done> done, List<ApprovalRequest> pending, Map<String, Data> nested) {}

    /** The serialised form: the loop's state, the paused turn, the decisions and the options that travel with the run. */
    record Data(int version, Loop loop, Pause pause, Map<String, Decision> decisions, Map<String, Decision> toolDecisions,
            @Nullable Carried options) {
        Data {
            if (options == null) {
                options = Carried.NONE; // a state written before options travelled with it
            }
        }
    }

    /** Version 1 of the serialised form (one record of 22 fields), read and carried over to the current one. */
    record DataV1(
            int version,
            String runId,
            long seq,
            AgentId startAgent,
            AgentId currentAgent,
            @Nullable String sessionId,
            List<Item> startInput,
            List<Item> inputHistory,
            List<RunItem> visible,
            List<RunItem> newItems,
            int turns,
            Map<String, Usage> usageByAgent,
            boolean resetToolChoice,
            List<Item> pausedOutput,
            Map<String, Done> done,
            List<ApprovalRequest> pending,
            Map<String, Decision> decisions,
            Map<String, Decision> toolDecisions,
            Map<String, DataV1> nested,
            List<GuardrailResult> guardrailResults,
            List<ModelResponse> responses,
            @Nullable Carried options) {

        Data current() {
            Map<String, Data> nestedNow = new LinkedHashMap<>();
            nested.forEach((callId, n) -> nestedNow.put(callId, n.current()));
            return new Data(VERSION, new Loop(runId, seq, startAgent, currentAgent, sessionId, startInput, inputHistory, visible,
                    newItems, turns, usageByAgent, resetToolChoice, guardrailResults, responses),
                    new Pause(pausedOutput, done, pending, nestedNow), decisions, toolDecisions, options);
        }
    }

    private final Data data;
    private final Map<String, Decision> decisions;
    private final Map<String, Decision> toolDecisions;

    RunState(Data data) {
        if (data.version() != VERSION) {
            throw new UserError("RunState version " + data.version() + " cannot be read by this build (version " + VERSION + ")");
        }
        this.data = data;
        this.decisions = new LinkedHashMap<>(data.decisions());
        this.toolDecisions = new LinkedHashMap<>(data.toolDecisions());
    }

    Data data() {
        return data;
    }

    /** The run's id; the resumed run keeps it. */
    public String runId() {
        return data.loop().runId();
    }

    /** The session the run belongs to, if any. */
    public @Nullable String sessionId() {
        return data.loop().sessionId();
    }

    /** The calls waiting for a decision. */
    public List<ApprovalRequest> pendingApprovals() {
        return data.pause().pending().stream().filter(p -> decisionFor(p) == null).toList();
    }

    /** Every call the run paused on, decided or not. */
    public List<ApprovalRequest> approvals() {
        return data.pause().pending();
    }

    /** Approves the call: it runs when the run resumes. */
    public RunState approve(String callId) {
        decisions.put(known(callId).callId(), new Decision(true, null));
        return this;
    }

    /** Rejects the call: the model reads that it did not run, and {@code message}, instead of the tool's output. */
    public RunState reject(String callId, @Nullable String message) {
        decisions.put(known(callId).callId(), new Decision(false, message));
        return this;
    }

    /** Approves the call and every later call of the same tool in this run. */
    public RunState approveAlways(String callId) {
        ApprovalRequest r = known(callId);
        decisions.put(callId, new Decision(true, null));
        toolDecisions.put(r.toolName(), new Decision(true, null));
        return this;
    }

    /** Rejects the call and every later call of the same tool in this run. */
    public RunState rejectAlways(String callId, @Nullable String message) {
        ApprovalRequest r = known(callId);
        decisions.put(callId, new Decision(false, message));
        toolDecisions.put(r.toolName(), new Decision(false, message));
        return this;
    }

    @Nullable Decision decisionFor(ApprovalRequest r) {
        Decision d = decisions.get(r.callId());
        return d != null ? d : toolDecisions.get(r.toolName());
    }

    /**
     * The paused nested runs (agents used as tools) by the calling tool call's id, each with the
     * decisions recorded here for its calls.
     */
    Map<String, RunState> nestedStates() {
        Map<String, RunState> out = new LinkedHashMap<>();
        data.pause().nested().forEach((callId, nestedData) -> {
            RunState nested = new RunState(nestedData);
            for (ApprovalRequest r : nestedData.pause().pending()) {
                Decision d = decisionFor(r);
                if (d != null) {
                    nested.decisions.put(r.callId(), d);
                }
            }
            nested.toolDecisions.putAll(toolDecisions);
            out.put(callId, nested);
        });
        return out;
    }

    Map<String, Decision> decisions() {
        return decisions;
    }

    Map<String, Decision> toolDecisions() {
        return toolDecisions;
    }

    private ApprovalRequest known(String callId) {
        Objects.requireNonNull(callId, "callId");
        for (ApprovalRequest r : data.pause().pending()) {
            if (r.callId().equals(callId)) {
                return r;
            }
        }
        throw new UserError("No pending approval with call id '" + callId + "'; pending: "
                + data.pause().pending().stream().map(ApprovalRequest::callId).toList());
    }

    /** The state as versioned JSON, decisions included. */
    public String toJson() {
        Data out = new Data(data.version(), data.loop(), data.pause(), decisions, toolDecisions, data.options());
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("RunState could not be written: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a state written by {@link #toJson()}, of this build or an earlier one.
     *
     * @throws UserError if the text is not a run state of a version this build reads
     */
    public static RunState fromJson(String json) {
        try {
            JsonNode tree = JSON.readTree(json);
            int version = tree == null ? -1 : tree.path("version").asInt(-1);
            Data data = switch (version) {
                case 1 -> JSON.treeToValue(tree, DataV1.class).current();
                case VERSION -> JSON.treeToValue(tree, Data.class);
                default -> throw new UserError("RunState version " + version + " cannot be read by this build (version " + VERSION
                        + ")");
            };
            return new RunState(data);
        } catch (JsonProcessingException e) {
            throw new UserError("Not a valid RunState: " + e.getOriginalMessage(), e);
        }
    }
}
