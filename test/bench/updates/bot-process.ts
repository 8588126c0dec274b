/**
 * The bots under test as child processes, so CPU and RSS are theirs alone: the bare echo bot, or this
 * project's bot as production runs it (compiled dist/main.js, or src/main.ts through tsx until a build
 * exists). Each gets probe.mjs as a preload and an IPC slot to ask it for counters. Their output is
 * kept, not shown: at LOG_LEVEL=warn a healthy bot says nothing, so the bench prints what it did say.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProbeStats {
  queries: number;
  transactions: number;
  redis: number;
  cpu: { user: number; system: number };
  rss: number;
  /** With BENCH_PROBE_TRACE=1: [statement prefix, count] since start. */
  trace?: [string, number][];
}

const probePath = fileURLToPath(new URL('./probe.mjs', import.meta.url));
const echoPath = fileURLToPath(new URL('./echo-bot.mjs', import.meta.url));
const distMain = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));
const srcMain = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** Newest modification time (ms) of the files with this ending under a directory (src/sandbox is not built). */
function newest(dir: string, ending: string): number {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) time = entry.name === 'sandbox' ? time : Math.max(time, newest(full, ending));
    else if (entry.name.endsWith(ending)) time = Math.max(time, statSync(full).mtimeMs);
  }
  return time;
}

/** The Node flags of `npm start` ("node <flags> dist/main.js" in package.json): the bench runs what production runs. */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const flags = /^node\s+(.*?)\s*dist\/main\.js$/.exec(start.trim())?.[1];
  return flags ? flags.split(/\s+/) : [];
}

/** How the project's bot is started; printed with the results (with a warning when dist/ is older than src/). */
export function projectBotCommand(): { args: string[]; label: string } {
  if (existsSync(distMain)) {
    // The build is incremental: it rewrites only what changed, so the newest output is what tells its age.
    const stale = newest(path.dirname(srcMain), '.ts') > newest(path.dirname(distMain), '.js');
    const flags = startFlags();
    return {
      args: [...flags, distMain],
      label: `node ${[...flags, 'dist/main.js'].join(' ')} (compiled, as npm start runs it${stale ? '; WARNING: src/ has changed since the build, run npm run build' : ''})`,
    };
  }
  return { args: ['--import', tsxLoader, srcMain], label: 'node --import tsx src/main.ts (no dist/main.js yet)' };
}

export interface SpawnOptions {
  kind: 'echo' | 'project';
  env: Record<string, string>;
  probeDb: 'pg' | 'pglite' | 'none';
  probeKv: 'redis' | 'none';
  cwd: string;
  /** A directory for V8 CPU profiles (--cpu-prof), for the project's bot only. */
  cpuProfDir?: string;
}

/** Every child still running, so the bench's cleanup (signal, deadline, error) can kill them all. */
const live = new Set<BotChild>();

/** SIGKILL for every bot child still running: the bench's exits call it before anything else. */
export function killAllBots(): void {
  for (const bot of live) bot.kill();
}

export class BotChild {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lines the bot wrote (pino JSON at warn and above, or anything else), the first few kept verbatim. */
  outputLines = 0;
  readonly firstLines: string[] = [];
  private pending: ((s: ProbeStats) => void)[] = [];

  constructor(readonly options: SpawnOptions) {
    const script = options.kind === 'echo' ? [echoPath] : projectBotCommand().args;
    const prof = options.kind === 'project' && options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
    // BENCH_NODE_FLAGS="--max-semi-space-size=32 ...": V8 or Node flags for the project's bot, to try settings.
    // Put after `npm start`'s own flags, just before the script: of a flag given twice, the last one counts.
    const tried = options.kind === 'project' && process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean) : [];
    this.child = spawn(process.execPath, ['--import', probePath, ...prof, ...script.slice(0, -1), ...tried, ...script.slice(-1)], {
      cwd: options.cwd,
      // Only what the bot needs: a developer's BOT_TOKEN, DATABASE_URL or HTTP_PORT must not leak in.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        BENCH_PROBE_DB: options.probeDb,
        BENCH_PROBE_KV: options.probeKv,
        ...(process.env.BENCH_PROBE_TRACE ? { BENCH_PROBE_TRACE: process.env.BENCH_PROBE_TRACE } : {}),
        ...(process.env.BENCH_MEMORY_DETAIL ? { BENCH_MEMORY_DETAIL: '1' } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        // The probe's memory breakdown (BENCH_MEMORY_DETAIL=1) is for the reader, not a sign of trouble.
        if (line.startsWith('probe memory ')) {
          process.stderr.write(`${line}\n`);
          continue;
        }
        this.outputLines++;
        if (this.firstLines.length < 5) this.firstLines.push(line.slice(0, 300));
      }
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.on('message', (m: { type?: string } & ProbeStats) => {
      if (m?.type === 'stats') this.pending.shift()?.(m);
    });
    live.add(this);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        live.delete(this);
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The probe's counters now; rejects when the bot does not answer in 5 s (busy for that long = broken). */
  async stats(): Promise<ProbeStats> {
    if (!this.alive) throw new Error('the bot process has exited');
    const answer = new Promise<ProbeStats>((resolve) => this.pending.push(resolve));
    this.child.send({ type: 'stats' });
    const result = await Promise.race([answer, sleep(5_000).then(() => undefined)]);
    if (!result) throw new Error('the bot process did not answer the stats request within 5 s');
    return result;
  }

  /** SIGTERM (a clean stop writes the CPU profile), SIGKILL after 10 s; always resolves. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) this.kill();
    await Promise.race([this.exited, sleep(2_000)]);
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

const CLK_TCK = 100; // Linux USER_HZ, the unit of /proc CPU times

/** CPU time (ms) a process has used so far, from /proc/<pid>/stat; undefined when it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * CPU (ms) of every process named postgres on this machine: the server's backends, including the bot's
 * pool connections and (rarely) others' work, which the bench cannot tell apart. Undefined off Linux.
 * Read before the bot stops, so its backends are still there to be counted.
 */
export function postgresCpuMs(): number | undefined {
  let total = 0;
  let found = false;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name !== 'postgres') continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
        found = true;
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return undefined;
  }
  return found ? total : undefined;
}

/** Where a bot process's time went: its main thread on a core and waiting for one, and its other threads. */
export interface ThreadTimes {
  /** The main thread (JavaScript, and the garbage collector's share it does itself): on a core. */
  mainRunMs: number;
  /** The main thread runnable but waiting for a core (another process or thread had it). */
  mainWaitMs: number;
  /** Every thread of the process on a core; minus mainRunMs, V8's helpers (garbage collection, compiler) and libuv's. */
  allRunMs: number;
}

/**
 * From /proc/<pid>/task/<tid>/schedstat (nanoseconds on a core, waiting on a run queue); undefined off
 * Linux or for a process gone. The main thread's tid is the pid.
 */
export function threadTimes(pid: number): ThreadTimes | undefined {
  // One read per thread, the main thread's among them: its figures and the total are of the same moment.
  let main: number[] | undefined;
  let all = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        if (tid === String(pid)) main = [run!, wait!];
        all += run!;
      } catch {
        // a thread that ended meanwhile
      }
    }
  } catch {
    return undefined;
  }
  if (!main) return undefined;
  return { mainRunMs: main[0]! / 1e6, mainWaitMs: main[1]! / 1e6, allRunMs: all / 1e6 };
}
