// Peer side of the Baton benchmark: the same scenarios on the OpenAI Agents SDK for JavaScript.
//
//   node bench.mjs --scenario support-flow|in-flight --runs N [--concurrency C] [--latency-ms L] [--warmup W]
//   node bench.mjs --scenario http --base-url http://127.0.0.1:PORT/v1 [--runs N] [--concurrency C] [--warmup W]
//   node bench.mjs --scenario steady [--rate R] [--duration-s S] [--latency-ms L] [--warmup W]
//
// Prints exactly one line to stdout (a JSON object); everything else goes to stderr.
// Exit code 1 if any run fails its checks (or throws).
// For very many in-flight runs give node more heap: node --max-old-space-size=8192 bench.mjs ...
// (optionally also --expose-gc, so the baseline RSS is taken after a full GC).

// The SDK must never talk to OpenAI. Tracing is the only thing that would (its exporter), so it
// is switched off twice: the env var is read when the global trace provider is built, which
// happens while '@openai/agents' is imported, so it is set *before* a dynamic import (static
// imports would be evaluated first); setTracingDisabled(true) then flips the provider itself.
// The model is an in-process object, so no model provider / API key is ever consulted.
// In the http scenario the model is an OpenAIChatCompletionsModel instance bound to an `openai`
// client whose baseURL is the loopback fixture server (given explicitly, so OPENAI_BASE_URL is
// not read); agents get that instance, not a model name, so no provider or default client is used.
process.env.OPENAI_AGENTS_DISABLE_TRACING = '1';
const { Agent, Runner, Usage, setTracingDisabled, tool, OpenAIChatCompletionsModel } = await import('@openai/agents');
const { z } = await import('zod');
const { default: OpenAI } = await import('openai');
setTracingDisabled(true);

// One shared Runner with tracing disabled in its config: this skips the trace/span bookkeeping
// that the default runner behind run(agent, input) still does (with no-op spans), i.e. it is the
// SDK's cheapest ordinary path (~5% faster than run() here), so the peer is not handicapped.
const runner = new Runner({ tracingDisabled: true });

const { readFileSync } = await import('node:fs');
const SDK_VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/@openai/agents/package.json', import.meta.url), 'utf8'),
).version;

// ---------------------------------------------------------------- CLI
function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) fail(`bad argument: ${key}`);
    opts[key.slice(2)] = value;
  }
  const int = (name, dflt) => {
    if (opts[name] === undefined) return dflt;
    const n = Number(opts[name]);
    if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
    return n;
  };
  const scenario = opts.scenario;
  if (!['support-flow', 'in-flight', 'http', 'steady'].includes(scenario)) {
    fail('--scenario must be support-flow, in-flight, http or steady');
  }
  const http = scenario === 'http';
  const steady = scenario === 'steady';
  const rate = int('rate', 2000);
  const durationS = opts['duration-s'] === undefined ? 20 : Number(opts['duration-s']);
  if (!(durationS > 0)) fail('--duration-s must be a positive number');
  const runs = steady ? Math.round(rate * durationS) : int('runs', http ? 5000 : undefined);
  if (!runs) fail('--runs N (N >= 1) is required');
  const baseUrl = opts['base-url'];
  if (http && !baseUrl) fail('--base-url is required for the http scenario (benchmarks/run starts the fixture server)');
  return {
    scenario,
    runs,
    baseUrl,
    concurrency: Math.max(1, int('concurrency', http ? 64 : 1)),
    // support-flow measures framework overhead, so its model answers at once by default.
    latencyMs: int('latency-ms', scenario === 'in-flight' ? 1000 : steady ? 500 : 0),
    warmup: int('warmup', scenario === 'in-flight' ? 200 : http ? 500 : steady ? 20000 : Math.min(2000, runs)),
    rate,
    durationS,
  };
}

function fail(message) {
  console.error(`bench.mjs: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- the scenario
const INPUT = 'I was charged $99 twice (INV-8821). Refund?';
const HANDOFF_TOOL = 'transfer_to_billing_specialist'; // SDK default: `transfer_to_${agent name}`
const USAGE = { requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 };
let callSeq = 0; // call ids unique per call (process-wide)

// A scripted in-process model implementing the SDK's `Model` interface (agents-core model.d.ts).
// Items follow agents-core types/protocol.d.ts: FunctionCallItem, AssistantMessageItem.
class ScriptedModel {
  constructor(latencyMs) {
    this.latencyMs = latencyMs;
  }

  async getResponse(request) {
    // Simulated network/LLM latency; with 0 no timer at all, so support-flow measures the SDK only.
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    return { usage: new Usage(USAGE), output: [answer(request)], responseId: `resp_${++callSeq}` };
  }

  // Not used by run(agent, input) without streaming; provided because the interface requires it.
  async *getStreamedResponse(request) {
    const { responseId, output } = await this.getResponse(request);
    yield { type: 'response_done', response: { id: responseId, usage: USAGE, output } };
  }
}

function answer(request) {
  // 1) triage: the request offers the handoff -> take it.
  if (request.handoffs.some((h) => h.toolName === HANDOFF_TOOL)) {
    return functionCall(HANDOFF_TOOL, '{}');
  }
  // 2) specialist, after the tool ran -> final answer.
  const input = request.input;
  const last = Array.isArray(input) ? input[input.length - 1] : undefined;
  if (last?.type === 'function_call_result' && last.name === 'get_invoice') {
    return {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Refund initiated for INV-8821.' }],
    };
  }
  // 3) specialist, first turn -> look the invoice up.
  return functionCall('get_invoice', '{"invoice_id":"INV-8821"}');
}

function functionCall(name, args) {
  return { type: 'function_call', callId: `call_${++callSeq}`, name, arguments: args, status: 'completed' };
}

function buildTriageAgent(model) {
  const getInvoice = tool({
    name: 'get_invoice',
    description: 'Look up an invoice by id.',
    parameters: z.object({ invoice_id: z.string() }),
    strict: true,
    execute: async ({ invoice_id }) => ({ id: invoice_id, amount: 99, status: 'paid' }),
  });
  const billing = new Agent({
    name: 'billing_specialist',
    instructions: 'You handle billing questions.',
    model,
    tools: [getInvoice],
  });
  return new Agent({
    name: 'support_triage',
    instructions: 'Route the customer to the right specialist.',
    model,
    handoffs: [billing], // plain SDK handoff; tool name transfer_to_billing_specialist
  });
}

// One run through the shared Runner (same as run(agent, input), minus tracing), then the checks.
// Returns true when the run is correct; never throws.
let firstError = null;
async function oneRun(agent) {
  try {
    const result = await runner.run(agent, INPUT);
    const ok = result.lastAgent?.name === 'billing_specialist' &&
      typeof result.finalOutput === 'string' && result.finalOutput.includes('Refund');
    if (!ok && !firstError) {
      firstError = `unexpected result: lastAgent=${result.lastAgent?.name} finalOutput=${JSON.stringify(result.finalOutput)}`;
    }
    return ok;
  } catch (err) {
    if (!firstError) firstError = err?.stack ?? String(err);
    return false;
  }
}

// C async workers pulling run indexes from a shared counter; returns the failure count.
// (Reported failures include warm-up runs: a broken flow must fail the process either way.)
async function pool(agent, runs, concurrency) {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < runs) {
      next++;
      if (!(await oneRun(agent))) failures++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, worker));
  return failures;
}

const mb = (bytes) => bytes / (1024 * 1024);
const round = (x, digits = 3) => Number(x.toFixed(digits));

// ---------------------------------------------------------------- scenarios
async function supportFlow({ runs, concurrency, latencyMs, warmup }) {
  const agent = buildTriageAgent(new ScriptedModel(latencyMs));
  const warmFailures = await pool(agent, warmup, concurrency); // JIT warm-up, not measured
  const t0 = process.hrtime.bigint();
  const failures = await pool(agent, runs, concurrency);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    impl: 'peer', scenario: 'support-flow', runs, concurrency,
    seconds: round(seconds, 6),
    runs_per_s: round(runs / seconds, 1),
    us_per_run: round((seconds * 1e6) / runs, 3),
    failures: failures + warmFailures,
    node: process.version, sdk_version: SDK_VERSION,
  };
}

// The support flow against an OpenAI-compatible server over HTTP: the SDK's Chat Completions model
// on an `openai` client for the loopback fixture server. No retries, so a failed call is a failed run
// (Baton's side is configured the same way).
async function http({ runs, concurrency, warmup, baseUrl }) {
  const client = new OpenAI({ apiKey: 'bench', baseURL: baseUrl, maxRetries: 0, timeout: 30_000 });
  const agent = buildTriageAgent(new OpenAIChatCompletionsModel(client, 'bench-model'));
  const warmFailures = await pool(agent, warmup, concurrency);
  const t0 = process.hrtime.bigint();
  const failures = await pool(agent, runs, concurrency);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    impl: 'peer', scenario: 'http', runs, concurrency,
    seconds: round(seconds, 6),
    runs_per_s: round(runs / seconds, 1),
    us_per_run: round((seconds * 1e6) / runs, 3),
    failures: failures + warmFailures,
    node: process.version, sdk_version: SDK_VERSION,
  };
}

async function inFlight({ runs, latencyMs, warmup }) {
  // Warm-up without latency, so the code is compiled before the baseline is taken.
  const warmFailures = await pool(buildTriageAgent(new ScriptedModel(0)), warmup, 1);
  const agent = buildTriageAgent(new ScriptedModel(latencyMs));
  globalThis.gc?.(); // only with --expose-gc: makes the baseline less dependent on warm-up garbage
  const baseline = process.memoryUsage().rss;

  let peak = baseline;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const t0 = process.hrtime.bigint();
  // All runs started at once: concurrency = runs.
  const results = await Promise.all(Array.from({ length: runs }, () => oneRun(agent)));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  // The 50 ms sampler can miss the top; the kernel's high-water mark (KB) cannot.
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);

  const failures = results.filter((ok) => !ok).length + warmFailures;
  return {
    impl: 'peer', scenario: 'in-flight', runs, concurrency: runs, inflight: runs,
    latency_ms: latencyMs,
    wall_s: round(wall, 6), ideal_s: (3 * latencyMs) / 1000, seconds: round(wall, 6),
    runs_per_s: round(runs / wall, 1),
    us_per_run: round((wall * 1e6) / runs, 3),
    peak_rss_mb: round(mb(peak), 1), baseline_rss_mb: round(mb(baseline), 1),
    kb_per_run: round(((mb(peak) - mb(baseline)) * 1024) / runs, 3),
    failures,
    node: process.version, sdk_version: SDK_VERSION,
  };
}

// Conversations arriving at a fixed rate, open loop, each the support flow with a model that takes
// latencyMs per answer. Reports, per conversation, its wall time minus the model's time divided by its
// three model calls (the time the runtime adds to each turn) at p50 / p99 / max; then, in a second pass
// of its own (so its full collections do not show in the latencies), the live heap per conversation in
// flight. Arrivals are started on a 1 ms timer: every conversation that is due by then.
async function steady({ rate, durationS, latencyMs, warmup }) {
  const TURNS = 3;
  const warmFailures = await pool(buildTriageAgent(new ScriptedModel(0)), warmup, 64);
  const agent = buildTriageAgent(new ScriptedModel(latencyMs));
  const modelMs = TURNS * latencyMs;
  let failures = warmFailures;

  // Starts `total` conversations at their due times; resolves when all have arrived, with the
  // pass's state (its `runs` promises settle when the conversations end).
  const pass = (total, finished) => new Promise((resolve) => {
    const state = { started: 0, inFlight: 0, peakInFlight: 0, runs: [], arrivalSeconds: 0 };
    const t0 = process.hrtime.bigint();
    const elapsedMs = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const tick = () => {
      const due = Math.min(total, Math.floor((elapsedMs() * rate) / 1000) + 1);
      while (state.started < due) {
        const index = state.started++;
        const begin = process.hrtime.bigint();
        state.inFlight++;
        state.peakInFlight = Math.max(state.peakInFlight, state.inFlight);
        state.runs.push(oneRun(agent).then((ok) => {
          if (!ok) failures++;
          finished(index, Number(process.hrtime.bigint() - begin) / 1e6);
          state.inFlight--;
        }));
      }
      if (state.started >= total) {
        state.arrivalSeconds = elapsedMs() / 1000;
        clearInterval(timer);
        resolve(state);
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });

  const total = Math.round(rate * durationS);
  const added = new Float64Array(total);
  const t0 = process.hrtime.bigint();
  const latency = await pass(total, (index, ms) => { added[index] = Math.max(0, ms - modelMs) / TURNS; });
  await Promise.all(latency.runs);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;

  globalThis.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  const memory = await pass(Math.max(rate, Math.round((rate * 2 * modelMs) / 1000)), () => {});
  const inFlightAtProbe = memory.inFlight;
  globalThis.gc?.();
  const live = process.memoryUsage().heapUsed;
  await Promise.all(memory.runs);

  added.sort();
  const pct = (p) => added[Math.max(0, Math.min(total - 1, Math.ceil(p * total) - 1))];
  return {
    impl: 'peer', scenario: 'steady', runs: total, concurrency: rate,
    rate_per_s: rate, arrival_rate_per_s: round(total / latency.arrivalSeconds, 1), latency_ms: latencyMs,
    seconds: round(wall, 6), runs_per_s: round(total / wall, 1), us_per_run: round((wall * 1e6) / total, 3),
    added_ms_per_turn_p50: round(pct(0.5)), added_ms_per_turn_p99: round(pct(0.99)),
    added_ms_per_turn_max: round(added[total - 1]),
    peak_in_flight: latency.peakInFlight,
    in_flight_at_memory_probe: inFlightAtProbe,
    kb_per_conversation_in_flight: round((live - baseline) / 1024 / Math.max(1, inFlightAtProbe), 3),
    failures,
    node: process.version, sdk_version: SDK_VERSION,
  };
}

// ---------------------------------------------------------------- main
const opts = parseArgs(process.argv.slice(2));
const scenarios = { 'support-flow': supportFlow, 'in-flight': inFlight, http, steady };
const out = await scenarios[opts.scenario](opts);
process.stdout.write(JSON.stringify(out) + '\n');
if (out.failures > 0) {
  console.error(`bench.mjs: ${out.failures} run(s) failed; first: ${firstError}`);
  process.exitCode = 1;
}
