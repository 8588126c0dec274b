/**
 * The real entry point as an operator runs it: a child process, configured only by its environment.
 * Why: what matters at this level is what no in-process test sees: the exit code, what lands on
 * stderr when the .env is wrong, that an empty server starts on embedded PostgreSQL by itself, and
 * that SIGTERM (docker stop, systemd) ends the process cleanly.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeBotApi } from '../support/fake-bot-api/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Production runs the compiled JavaScript (`npm start` builds, then runs dist/main.js): so does this test.
const MAIN = path.join(ROOT, 'dist/main.js');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
// Not 8-10 digits + 35 characters: the pre-commit check would take that for a real token.
const TOKEN = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';
const TOKEN_SECRET = 'TEST-TOKEN-not-a-real-one';

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node dist/main.js` as `npm start` runs it, but in an empty working directory and with nothing
 * inherited but PATH: a developer's own .env or DATABASE_URL must not change what is tested.
 */
function startMain(env: Record<string, string>, cwd: string): Running {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Fails with the child's output if it exits or the time runs out before `what` happens. */
async function whileRunning<T>(running: Running, what: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`)), timeoutMs);
  });
  const exited = running.exited.then(({ code, signal }) => {
    throw new Error(`the bot exited (code ${code}, signal ${signal}) before ${description}`);
  });
  try {
    return await Promise.race([what, timeout, exited]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- stdout ---\n${running.stdout()}\n--- stderr ---\n${running.stderr()}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The exit status, or a failure with the child's output if it is still running after `timeoutMs`. */
async function exitWithin(running: Running, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running ${timeoutMs} ms later\n--- stdout ---\n${running.stdout()}\n--- stderr ---\n${running.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the entry point (dist/main.js, built from src/main.ts) as a child process', () => {
  // `npm run build`: incremental, so a second run costs about two seconds.
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [TSC, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
  }, 120_000);

  let running: Running | undefined;
  let api: FakeBotApi | undefined;
  const dirs: string[] = [];

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ngo-bot-startup-'));
    dirs.push(dir);
    return dir;
  }

  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
    await api?.close();
    api = undefined;
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('when BOT_TOKEN is missing, then it exits 1 with the Persian and English explanation and no stack trace', async () => {
    const cwd = await tempDir();
    running = startMain({ DATA_DIR: path.join(cwd, 'data') }, cwd);
    const { code } = await whileRunning(running, running.exited.then((r) => r), 30_000, 'exit').catch(async () => running!.exited);
    expect(code).toBe(1);
    const stderr = running.stderr();
    expect(stderr).toContain('توکن ربات (BOT_TOKEN) تعریف نشده است');
    expect(stderr).toContain('BotFather');
    expect(stderr).toContain('BOT_TOKEN is missing');
    expect(stderr).not.toMatch(/^ {4}at /m);
    // Nothing was started, so nothing was created.
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  }, 60_000);

  it('when started on an empty data dir, then it migrates embedded PostgreSQL, answers in Persian, is healthy, and stops on SIGTERM', async () => {
    api = await FakeBotApi.start({ token: TOKEN });
    const cwd = await tempDir();
    const dataDir = path.join(await tempDir(), 'data');
    const port = await freePort();
    running = startMain(
      {
        BOT_TOKEN: TOKEN,
        BOT_API_ROOT: api.apiRoot,
        DATA_DIR: dataDir,
        HTTP_PORT: String(port),
        // The most talkative level the app uses, so a leak at any level shows up here.
        LOG_LEVEL: 'debug',
      },
      cwd,
    );

    // The first start migrates the embedded database: allow for a slow machine.
    await whileRunning(running, api.waitForLongPoll(90_000), 95_000, 'the first long poll');
    expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);

    const user = api.user(777_001, { first_name: 'مریم', language_code: 'fa' });
    user.sendCommand('start');
    const welcome = await whileRunning(running, user.waitForReply(undefined, 20_000), 25_000, 'the reply to /start');
    expect(String(welcome.params.text)).toContain('مریم گرامی، سلام');
    expect(String(welcome.params.text)).toContain('خوش آمدید');

    const privateText = 'شماره من ۰۹۱۲۱۲۳۴۵۶۷ است و این متن خصوصی است';
    user.sendText(privateText);
    const unhandled = await whileRunning(running, user.waitForReply(undefined, 20_000), 25_000, 'the reply to free text');
    expect(String(unhandled.params.text)).toContain('این پیام در این بخش شناخته نشد');

    const health = await whileRunning(running, fetch(`http://127.0.0.1:${port}/healthz`), 10_000, 'GET /healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    running.child.kill('SIGTERM');
    expect(await exitWithin(running, 15_000)).toEqual({ code: 0, signal: null });

    const stdout = running.stdout();
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    // pino JSON, one record a line: anything else would break log shipping.
    const records = lines.map((line) => JSON.parse(line) as { msg?: string });
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['database migrated', 'http server listening', 'shutting down']));
    expect(stdout).not.toContain(TOKEN_SECRET);
    expect(stdout).not.toContain(privateText);
    expect(stdout).not.toContain('۰۹۱۲۱۲۳۴۵۶۷');
    expect(running.stderr()).not.toContain(TOKEN_SECRET);
    expect(running.stderr()).not.toContain(privateText);
  }, 180_000);
});
