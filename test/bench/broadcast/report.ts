/** What bench:broadcast prints for each scenario, the invariants it checks, and the README table. */
import os from 'node:os';
import { POLL_MS, fixed, int, mib, optSeconds, printTable, seconds } from './common.js';
import type { ScenarioResult } from './scenario.js';

/** The Redis outage scenario must be over within this long of Redis coming back (issue 13). */
export const REDIS_RECOVERY_LIMIT_MS = 10_000;

/** Messages per second between the first and the last accepted message. */
export const achievedRate = (r: ScenarioResult): number => (r.sendSpanMs > 0 ? ((r.accepted - 1) * 1000) / r.sendSpanMs : 0);

/** What a scenario's duplicates are allowed to be: rows in flight at the kill or at the outage (none otherwise). */
function allowedDuplicates(r: ScenarioResult): number {
  if (r.crash) return r.crash.inFlightAccepted;
  if (r.outage?.service === 'postgres') return r.outage.inFlightAtDown ?? 0;
  return 0;
}

export function describeResult(r: ScenarioResult): void {
  const rate = achievedRate(r);
  const report = r.reports.at(-1);
  const storage = r.spec.storage === 'embedded' ? 'embedded PGlite (data folder)' : 'PostgreSQL server';
  const rows: [string, string][] = [
    ['recipients', int(r.spec.recipients)],
    ['outbox storage', storage],
    ['configured rate', `${int(r.spec.ratePerSecond)}/s`],
    ['fake API limit', r.spec.fakeLimit === undefined ? 'none' : `${int(r.spec.fakeLimit)}/s (429 + retry_after beyond it)`],
    ['fake API latency', r.spec.latencyMs ? `${r.spec.latencyMs} ms per sendMessage` : 'none (loopback only)'],
    ['fan-out into the outbox', `${int(r.spec.recipients)} rows in ${int(r.enqueueMs)} ms`],
    ['bot process start-up', seconds(r.bootMs)],
    [
      r.crash || r.outage ? 'achieved rate (first→last send, interruption included)' : 'achieved rate (first→last send)',
      `${fixed(rate)}/s = ${fixed(rate / r.spec.ratePerSecond, 3)} of configured`,
    ],
    ['busiest sliding second', `${int(r.peakWindow)} messages`],
    [`rate per ${r.slices.sliceMs / 1000} s slice`, `${r.slices.rates.map((x) => int(x)).join(' ')} /s (last slice partial)`],
    ['elapsed (dispatch start→last send)', seconds(r.elapsedMs)],
    ['wall time (dispatch start→every row finished)', `${optSeconds(r.finishedMs)} (seen by a ${POLL_MS} ms poll)`],
    ['sendMessage calls', `${int(r.attempts)} (${int(r.accepted)} accepted)`],
    ['429 answers received', int(r.rejected429)],
    ['lost (never received)', int(r.lost)],
    ['duplicated (received >1)', `${int(r.duplicatedRecipients)} recipients, ${int(r.extraMessages)} extra messages`],
    ['outbox rows by status', Object.entries(r.statusCounts).map(([k, v]) => `${k} ${int(v)}`).join(', ')],
    ['rows claimed more than once (attempts > 1)', int(r.claimedAgain)],
  ];
  if (report) {
    const cpuMs = report.cpuUserMs + report.cpuSystemMs;
    const label = r.crash ? 'bot process (after restart)' : 'bot process';
    rows.push(
      [`${label} CPU`, `${seconds(cpuMs)} (user ${seconds(report.cpuUserMs)}, sys ${seconds(report.cpuSystemMs)}) over ${seconds(report.runMs)} = ${int((100 * cpuMs) / report.runMs)}% of one core`],
      [`${label} CPU per 1,000 messages`, `${int((cpuMs * 1000) / Math.max(1, r.crash ? r.accepted - r.crash.acceptedAtRestart : r.accepted))} ms`],
      [
        `${label} memory`,
        `peak RSS ${mib(report.peakRssBytes)}, peak heap used ${mib(report.peakHeapUsedBytes)} ` +
          `(when dispatching began: RSS ${mib(report.rssAtStartBytes)}, heap ${mib(report.heapUsedAtStartBytes)}; kernel max RSS ${mib(report.maxRssBytes)})`,
      ],
    );
    const logs = Object.entries(report.logCounts);
    rows.push([`${label} warnings/errors`, logs.length ? logs.map(([m, c]) => `${c}× "${m}"`).join('; ') : 'none']);
  }
  rows.push(['fake API + bench parent CPU', seconds(r.parentCpuMs)]);
  if (r.postgresCpuMs !== undefined) rows.push(['PostgreSQL backends CPU (bench database)', seconds(r.postgresCpuMs)]);
  if (r.machineBusy !== undefined) {
    rows.push(['whole machine busy while dispatching', `${int(100 * r.machineBusy)}% of ${os.cpus().length} cores (load average at the end: ${r.loadAverage})`]);
  }
  if (r.crash) {
    const c = r.crash;
    rows.push(
      ['killed (SIGKILL) at', `${int(c.killedAtAccepted)} accepted messages (${fixed((100 * c.killedAtAccepted) / r.spec.recipients, 1)}%)`],
      ['rows leased by the dead process', `${int(c.orphaned)} (of which already accepted by the API: ${int(c.inFlightAccepted)} = in flight at the kill)`],
      [
        'SENT writes committed before the kill',
        `${int(c.recordedBeforeKill)} rows as the killed process saw them; ${int(c.sentFoundAtRestart)} SENT rows found by the new process` +
          (c.sentFoundAtRestart >= c.recordedBeforeKill ? ' (no committed write lost)' : ` (${int(c.recordedBeforeKill - c.sentFoundAtRestart)} COMMITTED WRITES LOST)`),
      ],
      ['lease left on them at the kill', `at most ${optSeconds(c.maxLeaseLeftMs)} (leaseMs ${int(r.spec.leaseMs ?? 60_000)} ms)`],
      ['rate before the kill / after the restart', `${c.rateBeforeKill === undefined ? 'n/a' : fixed(c.rateBeforeKill)}/s / ${c.rateAfterRestart === undefined ? 'n/a' : fixed(c.rateAfterRestart)}/s`],
      ['new process start-up', seconds(c.restartBootMs)],
      ['kill → new process first send', optSeconds(c.restartToFirstSendMs)],
      ['kill → leased rows re-sent', `first ${optSeconds(c.firstOrphanResendMs)}, last ${optSeconds(c.lastOrphanResendMs)} (claimable from lease end; rows whose lease ran out are claimed before waiting ones)`],
    );
  }
  if (r.outage) {
    const o = r.outage;
    rows.push(
      [`${o.service} down at`, `${int(o.downAtAccepted)} accepted messages (${fixed((100 * o.downAtAccepted) / r.spec.recipients, 1)}%), for ${seconds(o.downForMs)}; ${o.cut} connections cut`],
      ['messages accepted while it was down', int(o.acceptedWhileDown)],
    );
    if (o.inFlightAtDown !== undefined) {
      rows.push([
        'rows in flight at the outage',
        `${int(o.inFlightAtDown)} (rows still SENDING right after the cut, read directly, whose chat the API had accepted before it; ${int(o.sendingAtDown ?? 0)} SENDING in all)`,
      ]);
    }
    rows.push([`${o.service} back → last send / → every row finished`, `${optSeconds(o.upToLastSendMs)} / ${optSeconds(o.upToFinishedMs)}`]);
  }
  printTable(`Results: ${r.spec.title}`, rows);
}

export function problemsOf(results: ScenarioResult[]): string[] {
  const problems: string[] = [];
  for (const r of results) {
    const key = r.spec.key;
    if (!r.complete) problems.push(`${key}: did not finish within its deadline`);
    if (r.lost > 0) problems.push(`${key}: ${r.lost} recipients never received the message`);
    const allowed = allowedDuplicates(r);
    if (r.duplicatedRecipients > allowed) {
      const why = r.crash ? 'rows in flight at the kill' : r.outage?.service === 'postgres' ? 'rows in flight at the outage' : 'allowed without a crash';
      problems.push(`${key}: ${r.duplicatedRecipients} recipients received it twice, more than the ${allowed} ${why}`);
    }
    if (r.crash && r.crash.sentFoundAtRestart < r.crash.recordedBeforeKill) {
      problems.push(`${key}: ${r.crash.recordedBeforeKill - r.crash.sentFoundAtRestart} SENT writes committed before the kill were gone after it`);
    }
    if (r.outage?.service === 'redis' && !(r.outage.upToFinishedMs !== undefined && r.outage.upToFinishedMs <= REDIS_RECOVERY_LIMIT_MS)) {
      problems.push(`${key}: finished ${optSeconds(r.outage.upToFinishedMs)} after Redis came back, more than ${seconds(REDIS_RECOVERY_LIMIT_MS)}`);
    }
  }
  return problems;
}

export function readmeTable(results: ScenarioResult[]): string[] {
  const rateCell = (r: ScenarioResult) => {
    const of = (rate: number) => `${int(rate)}/s (${fixed(rate / r.spec.ratePerSecond, 2)}×)`;
    // Across a crash the overall rate mostly measures the restart; each process's own rate says more.
    if (r.crash?.rateBeforeKill !== undefined && r.crash.rateAfterRestart !== undefined) {
      return `${of(r.crash.rateBeforeKill)} before the kill, ${of(r.crash.rateAfterRestart)} after the restart`;
    }
    return of(achievedRate(r));
  };
  const cpuCell = (r: ScenarioResult) => {
    const rep = r.reports.at(-1);
    return rep ? `${seconds(rep.cpuUserMs + rep.cpuSystemMs)} (${int((100 * (rep.cpuUserMs + rep.cpuSystemMs)) / rep.runMs)}% of a core)` : 'n/a';
  };
  const memCell = (r: ScenarioResult) => {
    const rep = r.reports.at(-1);
    return rep ? `${mib(rep.peakRssBytes)} / ${mib(rep.peakHeapUsedBytes)}` : 'n/a';
  };
  const dupCell = (r: ScenarioResult) => {
    if (r.crash) return `${int(r.duplicatedRecipients)} (in flight at the kill: ${int(r.crash.inFlightAccepted)})`;
    if (r.outage?.inFlightAtDown !== undefined) return `${int(r.duplicatedRecipients)} (in flight at the outage: ${int(r.outage.inFlightAtDown)})`;
    return int(r.duplicatedRecipients);
  };
  const elapsedCell = (r: ScenarioResult) => {
    const base = seconds(r.elapsedMs);
    if (r.outage) return `${base} (${r.outage.service === 'postgres' ? 'database' : 'Redis'} back → finished: ${optSeconds(r.outage.upToFinishedMs)})`;
    if (r.crash) return `${base} (kill → leased rows re-sent: ${optSeconds(r.crash.firstOrphanResendMs)}–${optSeconds(r.crash.lastOrphanResendMs)})`;
    return base;
  };
  return [
    '| Scenario | Setup | Achieved rate (of configured) | 429s | Lost | Duplicated | Elapsed | Bot CPU | Bot peak RSS / heap |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.spec.name} | ${r.spec.setup} | ${rateCell(r)} | ${int(r.rejected429)} | ${int(r.lost)} | ${dupCell(r)} | ${elapsedCell(r)} | ${cpuCell(r)} | ${memCell(r)} |`,
    ),
  ];
}
