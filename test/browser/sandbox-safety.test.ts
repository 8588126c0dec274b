/**
 * `npm run sandbox` as a person runs it (the real command, in a child process, on its own embedded
 * database in a fresh data folder): it prints its loopback URL, serves the page and its font from this
 * machine, refuses requests that another site could make through the browser, stops cleanly on Ctrl+C,
 * and refuses to start at all with a real bot's token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, listenAddress, refuseRealBot, SandboxRefused } from '../../src/sandbox/safety.js';

// Shaped like a token, obviously not one: the sandbox refuses any token without a local Bot API root.
const REAL_TOKEN = '123456789:FAKE-sandbox-safety-test';

function runSandbox(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** A request with headers a browser sets itself (Host, Origin), which fetch does not let a caller choose. */
function rawRequest(url: URL, options: { method?: string; headers: Record<string, string>; body?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the sandbox refuses to run with a real bot', () => {
  it('when BOT_TOKEN is set and points at Telegram (or nowhere, which means Telegram), then it refuses', () => {
    expect(() => refuseRealBot({ BOT_TOKEN: REAL_TOKEN })).toThrow(SandboxRefused);
    expect(() => refuseRealBot({ BOT_TOKEN: REAL_TOKEN, BOT_API_ROOT: 'https://api.telegram.org' })).toThrow(/BOT_TOKEN/);
    expect(() => refuseRealBot({ BOT_TOKEN: REAL_TOKEN, BOT_API_ROOT: 'https://tapi.bale.ai' })).toThrow(SandboxRefused);
  });

  it('when there is no token, or it points at a Bot API on this machine, then it starts', () => {
    expect(() => refuseRealBot({})).not.toThrow();
    expect(() => refuseRealBot({ BOT_TOKEN: '  ' })).not.toThrow();
    expect(() => refuseRealBot({ BOT_TOKEN: REAL_TOKEN, BOT_API_ROOT: 'http://127.0.0.1:8081' })).not.toThrow();
  });

  it('when no host is given, then the page listens on loopback; another host is allowed only when asked for, and said', () => {
    expect(listenAddress({})).toEqual({ host: '127.0.0.1', port: 8377, exposed: false });
    expect(listenAddress({ SANDBOX_HOST: '0.0.0.0', SANDBOX_PORT: '9000' })).toEqual({ host: '0.0.0.0', port: 9000, exposed: true });
    expect(() => listenAddress({ SANDBOX_PORT: 'http' })).toThrow(SandboxRefused);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.8.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('192.168.1.5')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.evil.example')).toBe(false);
  });

  it('when `npm run sandbox` is started with a real token, then it exits with code 1 and says why in Persian and English', async () => {
    const run = runSandbox({ BOT_TOKEN: REAL_TOKEN });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('محیط آزمایشی با توکن یک ربات واقعی اجرا نمی‌شود');
    expect(run.output()).toContain('The sandbox does not run with a real bot');
  });
});

/** Starts the sandbox command and resolves with the URL it prints. */
async function startedSandbox(dataDir: string): Promise<{ run: ReturnType<typeof runSandbox>; base: URL }> {
  const run = runSandbox({ SANDBOX_DIR: dataDir, SANDBOX_PORT: '0' });
  const deadline = Date.now() + 110_000;
  for (;;) {
    const match = /http:\/\/[^\s/]+:\d+\//.exec(run.output());
    if (match) return { run, base: new URL(match[0]) };
    if (run.child.exitCode !== null || Date.now() > deadline) {
      run.child.kill('SIGKILL');
      throw new Error(`the sandbox did not start:\n${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type ChatJson = { messages: { id: number; fromBot: boolean; text?: string }[] };

describe('npm run sandbox (its command: tsx src/sandbox/main.ts)', () => {
  let dataDir: string;
  let run: ReturnType<typeof runSandbox>;
  let base: URL;
  const chatOf = async (id: number) => (await (await fetch(new URL(`/api/chats/${id}`, base))).json()) as ChatJson;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ngo-sandbox-cli-'));
    ({ run, base } = await startedSandbox(dataDir));
  }, 120_000);

  afterAll(async () => {
    if (run?.child.exitCode === null) run.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when it starts, then it prints a loopback URL and serves the page, its script and the Vazirmatn font from this machine', async () => {
    expect(base.hostname).toBe('127.0.0.1');
    const page = await fetch(base);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('dir="rtl"');
    // No CDN: every script, style and font comes from this server.
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const font = await fetch(new URL('/vazirmatn.woff2', base));
    expect(font.headers.get('content-type')).toBe('font/woff2');
    expect(Buffer.from(await font.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('wOF2');
    const state = (await (await fetch(new URL('/api/state', base))).json()) as { personas: { kind: string }[] };
    expect(state.personas.map((p) => p.kind)).toEqual(['province', 'county', 'manager', 'manager', 'member', 'member']);
  });

  it('when another site tries to reach it through the browser, then the request is refused and nothing changes', async () => {
    const send = (init: RequestInit & { headers?: Record<string, string> }) => fetch(new URL('/api/personas/2001/text', base), { method: 'POST', ...init });
    const json = { 'content-type': 'application/json' };
    // DNS rebinding: a foreign name in the Host header.
    expect(await rawRequest(new URL('/api/state', base), { headers: { host: `evil.example:${base.port}` } })).toBe(421);
    // A page of another origin.
    const textUrl = new URL('/api/personas/2001/text', base);
    expect(await rawRequest(textUrl, { method: 'POST', headers: { ...json, origin: 'http://evil.example' }, body: '{"text":"/start"}' })).toBe(403);
    // A plain form post, which a browser sends without asking.
    expect((await send({ headers: { 'content-type': 'text/plain' }, body: '{"text":"/start"}' })).status).toBe(415);
    expect((await send({ headers: json, body: 'not json' })).status).toBe(400);
    expect((await send({ headers: json, body: JSON.stringify({ text: 'x'.repeat(5000) }) })).status).toBe(400);
    expect((await fetch(new URL('/api/personas/99/text', base), { method: 'POST', headers: json, body: '{"text":"سلام"}' })).status).toBe(400);
    expect((await chatOf(2001)).messages).toEqual([]);
  });

  it('when it is stopped with Ctrl+C and started again on its folder, then it exits with 0 and the chats and the database are still there', async () => {
    const start = await fetch(new URL('/api/personas/2001/text', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"/start"}' });
    expect(start.status).toBe(200);
    await expect.poll(async () => (await chatOf(2001)).messages.filter((m) => m.fromBot).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const before = (await chatOf(2001)).messages.map((m) => m.text);
    const seed = () => fetch(new URL('/api/seed', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json());
    expect(await seed()).toEqual({ seeded: true, ngos: 12 });

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    ({ run, base } = await startedSandbox(dataDir));
    const after = await chatOf(2001);
    expect(after.messages.map((m) => m.text)).toEqual(before);
    // Kept messages have ids of their own, below the new run's.
    expect(after.messages.every((m) => m.id < 0)).toBe(true);
    // The same database: the demo province is already there.
    expect(await seed()).toEqual({ seeded: false, reason: 'already' });
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 120_000);
});
