// Prints a results file of benchmarks/run as a table, with Baton/peer ratios.
import { readFileSync } from 'node:fs';

const { machine, results } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const key = (r) => `${r.scenario} runs=${r.runs} c=${r.concurrency}`;
const peers = new Map(results.filter((r) => r.impl === 'peer' && !r.quoted).map((r) => [key(r), r]));
// Peer figures quoted from an issue (the runtime scenario's peer cannot be installed here): ranges, not measurements of this run.
const quotedKey = (r) => `${r.scenario} c=${r.concurrency}`;
const quoted = new Map(results.filter((r) => r.impl === 'peer' && r.quoted).map((r) => [quotedKey(r), r]));
const fmt = (x, d = 0) => (x === undefined || x === null ? '' : Number(x).toFixed(d));
const range = (lo, hi, d = 0) => `${fmt(lo, d)}–${fmt(hi, d)}`;

const rows = [['scenario', 'impl', 'config', 'runs', 'conc', 'runs/s', 'us/run', 'wall/ideal', 'KB/run', 'vs peer']];
for (const r of results) {
  if (r.quoted) {
    rows.push([r.scenario, 'peer (quoted)', r.config ?? '', r.runs ?? '', r.concurrency,
      r.runs_per_s_min !== undefined ? range(r.runs_per_s_min, r.runs_per_s_max) : '',
      r.us_per_run_min !== undefined ? range(r.us_per_run_min, r.us_per_run_max, 1) : '',
      r.wall_s_min !== undefined ? range(r.wall_s_min / r.ideal_s, r.wall_s_max / r.ideal_s, 2) : '',
      r.kb_per_run_min !== undefined ? range(r.kb_per_run_min, r.kb_per_run_max, 1) : '', '']);
    continue;
  }
  const q = r.impl === 'baton' ? quoted.get(quotedKey(r)) : undefined;
  if (q) {
    const ratio = r.config === 'in-flight'
      ? `${range(q.wall_s_min / r.wall_s, q.wall_s_max / r.wall_s, 1)}x faster, `
        + `${range(q.kb_per_run_min / r.kb_per_run, q.kb_per_run_max / r.kb_per_run, 1)}x less memory (peer quoted)`
      : `${range(r.runs_per_s / q.runs_per_s_max, r.runs_per_s / q.runs_per_s_min, 1)}x runs/s (peer quoted)`;
    rows.push([r.scenario, r.impl, r.config ?? '', r.runs, r.concurrency, fmt(r.runs_per_s), fmt(r.us_per_run, 1),
      r.ideal_s ? fmt(r.wall_s / r.ideal_s, 2) : '', fmt(r.kb_per_run, 1), ratio]);
    continue;
  }
  const p = peers.get(key(r));
  let ratio = '';
  if (r.impl === 'baton' && p) {
    ratio = r.scenario === 'in-flight'
      ? `${fmt(p.wall_s / r.wall_s, 1)}x faster, ${fmt(p.kb_per_run / r.kb_per_run, 1)}x less memory`
      : r.scenario === 'steady'
        ? `p99 added ${fmt(p.added_ms_per_turn_p99 / r.added_ms_per_turn_p99, 1)}x lower, `
          + `${fmt(p.kb_per_conversation_in_flight / r.kb_per_conversation_in_flight, 1)}x less memory`
        : `${fmt(r.runs_per_s / p.runs_per_s, 1)}x runs/s`;
  }
  rows.push([r.scenario, r.impl, r.config ?? '', r.runs, r.concurrency, fmt(r.runs_per_s), fmt(r.us_per_run, 1),
    r.ideal_s ? fmt(r.wall_s / r.ideal_s, 2) : '', fmt(r.kb_per_run, 1), ratio]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
for (const row of rows) console.log(row.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd());
// The steady scenario's own figures: what the runtime adds to each turn, and memory per conversation in flight.
for (const r of results.filter((x) => x.scenario === 'steady')) {
  console.log(`steady ${r.impl}: ${r.rate_per_s}/s arriving (achieved ${fmt(r.arrival_rate_per_s)}/s), model ${r.latency_ms} ms;`
    + ` added per turn p50 ${fmt(r.added_ms_per_turn_p50, 2)} ms, p99 ${fmt(r.added_ms_per_turn_p99, 2)} ms,`
    + ` max ${fmt(r.added_ms_per_turn_max, 2)} ms; ${r.peak_in_flight} in flight at peak,`
    + ` ${fmt(r.kb_per_conversation_in_flight, 1)} KB per conversation in flight; ${r.failures} failed`);
}
// The server scenario's own figures: per-turn latency each way and what the server adds; SSE delay.
for (const r of results.filter((x) => x.scenario === 'server' && x.config === 'conversations')) {
  const way = (w) => `${w} p50 ${fmt(r[`${w}_ms_p50`], 1)} / p99 ${fmt(r[`${w}_ms_p99`], 1)} ms`;
  console.log(`server, ${r.concurrency} conversations x ${r.turns_per_conversation} turns, model ${r.latency_ms} ms: `
    + `${way('runner')}, ${way('durable')}, ${way('api')}, ${way('v1')}; added vs the runner: `
    + `API p50 ${fmt(r.api_added_ms_p50, 1)} / p99 ${fmt(r.api_added_ms_p99, 1)} ms, `
    + `/v1 p50 ${fmt(r.v1_added_ms_p50, 1)} / p99 ${fmt(r.v1_added_ms_p99, 1)} ms; ${r.failures} failed`);
}
for (const r of results.filter((x) => x.scenario === 'server' && x.config === 'sse-watchers')) {
  console.log(`server, ${r.watchers} SSE watchers of ${r.live_runs} live runs: from write to receipt p50 ${fmt(r.delay_ms_p50, 1)} ms,`
    + ` p99 ${fmt(r.delay_ms_p99, 1)} ms (under 50 ms: ${r.p99_under_50ms ? 'yes' : 'no'}), max ${fmt(r.delay_ms_max, 1)} ms;`
    + ` from the event's at p50 ${fmt(r.at_delay_ms_p50, 1)} ms, p99 ${fmt(r.at_delay_ms_p99, 1)} ms;`
    + ` ${r.live_events} live events, ${fmt(r.live_events_per_s)}/s; ${r.failures} failed`);
}
// The runtime scenario against issue 16's goals (25,000 sessions/s; in flight 1.15 x ideal at 16 KB per session).
for (const r of results.filter((x) => x.scenario === 'runtime' && x.impl === 'baton')) {
  if (r.config === 'in-flight') {
    console.log(`runtime, ${r.inflight} sessions in flight, model ${r.latency_ms} ms: ${fmt(r.wall_s, 2)} s against an ideal`
      + ` ${fmt(r.ideal_s, 1)} s (${fmt(r.wall_s / r.ideal_s, 2)} x, goal 1.15: ${r.wall_s / r.ideal_s <= 1.15 ? 'met' : 'not met'}),`
      + ` ${fmt(r.kb_per_session, 1)} KB of live heap per session (goal 16: ${r.kb_per_session <= 16 ? 'met' : 'not met'}),`
      + ` peak RSS ${fmt(r.rss_kb_per_session, 1)} KB per session; ${r.failures} failed`);
  } else {
    console.log(`runtime, ${r.concurrency} session(s) at a time: ${fmt(r.sessions_per_s)} sessions/s, median of ${r.repeats}`
      + ` passes of ${r.runs} (${fmt(r.sessions_per_s_min)} to ${fmt(r.sessions_per_s_max)}), ${fmt(r.ms_per_session * 1000, 1)} µs`
      + ` per session, ${fmt(r.cpu_us_per_session, 1)} µs of process CPU per session, load average ${fmt(r.load_average, 1)}`
      + ` (goal 25,000/s: ${r.sessions_per_s >= 25000 ? 'met' : 'not met'}); ${r.failures} failed`);
  }
}
console.log(`machine: ${machine.cores} cores, ${machine.memory_gb} GB, ${machine.os}`);
