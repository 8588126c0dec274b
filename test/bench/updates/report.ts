/**
 * The printed results: one line per run as it finishes, then the markdown table of medians (min–max)
 * across rounds per mode, with the updates/s ratio to the echo bot of the same round.
 */
import type { Mode, RunResult } from './runner.js';

export const MODE_TITLES: Record<Mode, string> = { echo: 'bare telegraf echo', postgres: 'this bot, PostgreSQL + Redis', pglite: 'this bot, embedded PGlite' };

const fmt = (n: number | undefined, digits = 1): string =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number | undefined): string => (bytes === undefined ? '-' : `${fmt(bytes / 1024 / 1024, 0)} MiB`);

export function runLine(r: RunResult): string {
  const parts = [
    `round ${r.round} ${r.mode.padEnd(8)}`,
    `start ${fmt(r.startMs !== undefined ? r.startMs / 1000 : undefined, 2)} s`,
    `${fmt(r.updatesPerSec, 0)} updates/s${r.throughputComplete ? '' : ` (${r.answered} answered)`}${r.warmupPerSec !== undefined ? ` (warm-up ${fmt(r.warmupPerSec, 0)}/s)` : ''}`,
    `CPU ${fmt(r.cpuPerUpdateMs, 2)} ms/update`,
  ];
  if (r.queriesPerUpdate !== undefined) parts.push(`${fmt(r.queriesPerUpdate, 2)} statements, ${fmt(r.transactionsPerUpdate, 2)} transactions/update`);
  if (r.redisPerUpdate !== undefined) parts.push(`${fmt(r.redisPerUpdate, 2)} Redis commands/update`);
  if (r.pgCpuPerUpdateMs !== undefined) parts.push(`PostgreSQL CPU ${fmt(r.pgCpuPerUpdateMs, 2)} ms/update (bench database's backends ${fmt(r.pgBackendCpuPerUpdateMs, 2)})`);
  if (r.time) {
    const t = r.time;
    parts.push(
      `per update: main thread ${fmt(t.mainRun, 2)} ms on a core + ${fmt(t.mainWait, 2)} ms waiting for one, other threads ${fmt(t.otherThreads, 2)} ms, ` +
        `fake Bot API ${fmt(t.fakeApi, 2)} ms${t.redis !== undefined ? `, Redis ${fmt(t.redis, 3)} ms` : ''}`,
    );
  }
  parts.push(`p50 /start ${fmt(r.p50Start, 0)} ms, /deadlines ${fmt(r.p50Deadlines, 0)} ms`);
  parts.push(`RSS idle ${mib(r.rssIdle)}, after ${mib(r.rssAfter)}`);
  if (r.rate) {
    const { achieved, keepsUp, handed, offered_ } = r.rate;
    parts.push(
      `${r.rate.offered}/s: ${fmt(achieved, 0)}/s achieved, ${keepsUp ? 'keeps up' : 'does NOT keep up'}, ` +
        `handed→reply p50/p95/p99 ${fmt(handed.p50, 0)}/${fmt(handed.p95, 0)}/${fmt(handed.p99, 0)} ms, ` +
        `offered→reply ${fmt(offered_.p50, 0)}/${fmt(offered_.p95, 0)}/${fmt(offered_.p99, 0)} ms`,
    );
  }
  return parts.join(' | ');
}

/** Median (min–max) of the defined values; a single value alone. */
function spread(values: (number | undefined)[], show: (n: number) => string): string {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return '-';
  const med = v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  return v.length === 1 || v[0] === v.at(-1) ? show(med) : `${show(med)} (${show(v[0]!)}–${show(v.at(-1)!)})`;
}

export function markdownTable(results: RunResult[], modes: Mode[], rate: number): string {
  const of = (mode: Mode) => results.filter((r) => r.mode === mode);
  /** A figure of a run over the echo bot's same figure in the same round (none for the echo bot itself). */
  const ratioTo = (figure: (r: RunResult) => number | undefined) => (r: RunResult) => {
    const mine = figure(r);
    const echo = results.find((e) => e.mode === 'echo' && e.round === r.round);
    const theirs = echo && figure(echo);
    return r.mode === 'echo' || !theirs || mine === undefined ? undefined : mine / theirs;
  };
  const ratio = ratioTo((r) => r.updatesPerSec);
  const warmRatio = ratioTo((r) => r.warmupPerSec);
  const n0 = (n: number) => fmt(n, 0);
  const n2 = (n: number) => fmt(n, 2);
  const n3 = (n: number) => fmt(n, 3);
  const ms = (n: number) => `${fmt(n, 0)} ms`;
  const rows: [string, (rs: RunResult[]) => string][] = [
    ['updates/s', (rs) => spread(rs.map((r) => r.updatesPerSec), n0)],
    ['ratio to the echo bot (same round)', (rs) => spread(rs.map(ratio), n3)],
    ['updates/s while warming up (the first updates after start)', (rs) => spread(rs.map((r) => r.warmupPerSec), n0)],
    ['ratio to the echo bot while warming up', (rs) => spread(rs.map(warmRatio), n3)],
    ['bot CPU per update (ms)', (rs) => spread(rs.map((r) => r.cpuPerUpdateMs), n2)],
    ['database statements per update', (rs) => spread(rs.map((r) => r.queriesPerUpdate), n2)],
    ['database transactions per update', (rs) => spread(rs.map((r) => r.transactionsPerUpdate), n2)],
    ['Redis commands per update', (rs) => spread(rs.map((r) => r.redisPerUpdate), n2)],
    ['PostgreSQL CPU per update (ms), all postgres processes', (rs) => spread(rs.map((r) => r.pgCpuPerUpdateMs), n2)],
    ["PostgreSQL CPU per update (ms), the bench database's backends", (rs) => spread(rs.map((r) => r.pgBackendCpuPerUpdateMs), n2)],
    ["bot's main thread per update: on a core (ms)", (rs) => spread(rs.map((r) => r.time?.mainRun), n2)],
    ["bot's main thread per update: runnable, waiting for a core (ms)", (rs) => spread(rs.map((r) => r.time?.mainWait), n2)],
    ["bot's other threads per update: garbage collector and compiler helpers, libuv (ms)", (rs) => spread(rs.map((r) => r.time?.otherThreads), n2)],
    ['fake Bot API (the bench process) CPU per update (ms)', (rs) => spread(rs.map((r) => r.time?.fakeApi), n2)],
    ['Redis server CPU per update (ms)', (rs) => spread(rs.map((r) => r.time?.redis), n3)],
    ['reply p50 /start (throughput run)', (rs) => spread(rs.map((r) => r.p50Start), ms)],
    ['reply p50 /deadlines (throughput run)', (rs) => spread(rs.map((r) => r.p50Deadlines), ms)],
    [`${rate}/s offered: achieved replies/s`, (rs) => spread(rs.map((r) => r.rate?.achieved), n0)],
    [`${rate}/s offered: keeps up`, (rs) => (rs.some((r) => r.rate) ? rs.filter((r) => r.rate).map((r) => (r.rate!.keepsUp ? 'yes' : 'no')).join(', ') : '-')],
    [`${rate}/s: handed out→reply p50 / p95 / p99`, (rs) => triple(rs, 'handed')],
    [`${rate}/s: offered→reply p50 / p95 / p99`, (rs) => triple(rs, 'offered_')],
    ['RSS idle after start', (rs) => spread(rs.map((r) => r.rssIdle && r.rssIdle / 1024 / 1024), (n) => `${n0(n)} MiB`)],
    ['RSS after the throughput run', (rs) => spread(rs.map((r) => r.rssAfter && r.rssAfter / 1024 / 1024), (n) => `${n0(n)} MiB`)],
    ['start to first answered /start', (rs) => spread(rs.map((r) => r.startMs && r.startMs / 1000), (n) => `${n2(n)} s`)],
  ];
  function triple(rs: RunResult[], key: 'handed' | 'offered_'): string {
    const withRate = rs.filter((r) => r.rate);
    if (!withRate.length) return '-';
    return ['p50', 'p95', 'p99'].map((p) => spread(withRate.map((r) => r.rate![key][p as 'p50']), n0)).join(' / ') + ' ms';
  }
  return [
    `| figure (median (min–max) of ${Math.max(...modes.map((m) => of(m).length))} rounds) | ${modes.map((m) => MODE_TITLES[m]).join(' | ')} |`,
    `|---|${modes.map(() => '---').join('|')}|`,
    ...rows.map(([name, cell]) => `| ${name} | ${modes.map((m) => cell(of(m))).join(' | ')} |`),
  ].join('\n');
}

/** Replies per kind, summed over the runs of each project mode: a kind with none means a wrong mix. */
export function kindTable(results: RunResult[], modes: Mode[]): string {
  const project = modes.filter((m) => m !== 'echo');
  if (!project.length) return '';
  const kinds = [...new Set(results.flatMap((r) => [...r.kinds.keys()]))].sort();
  const lines = [`| kind | ${project.map((m) => `${MODE_TITLES[m]}: replied / sent (off: refusal, stale, catch-all)`).join(' | ')} |`, `|---|${project.map(() => '---').join('|')}|`];
  for (const kind of kinds) {
    const cells = project.map((m) => {
      let sent = 0;
      let replied = 0;
      let off = 0;
      for (const r of results.filter((x) => x.mode === m)) {
        const k = r.kinds.get(kind);
        if (!k) continue;
        sent += k.sent;
        replied += k.replied;
        off += k.off;
      }
      return sent ? `${replied} / ${sent}${off ? ` (off ${off})` : ''}` : '-';
    });
    lines.push(`| ${kind} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
