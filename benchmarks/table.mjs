// Prints a results file of benchmarks/run as a table, with Baton/peer ratios.
import { readFileSync } from 'node:fs';

const { machine, results } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const key = (r) => `${r.scenario} runs=${r.runs} c=${r.concurrency}`;
const peers = new Map(results.filter((r) => r.impl === 'peer').map((r) => [key(r), r]));
const fmt = (x, d = 0) => (x === undefined || x === null ? '' : Number(x).toFixed(d));

const rows = [['scenario', 'impl', 'config', 'runs', 'conc', 'runs/s', 'us/run', 'wall/ideal', 'KB/run', 'vs peer']];
for (const r of results) {
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
console.log(`machine: ${machine.cores} cores, ${machine.memory_gb} GB, ${machine.os}`);
