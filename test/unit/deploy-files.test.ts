/**
 * No Docker engine runs here, so the container files are checked against what they must agree with:
 * the image runs what `npm start` runs, with variables the configuration knows; the compose file runs
 * two bots in webhook mode on PostgreSQL and Redis with a configuration that loads, and publishes
 * nothing but the proxy, which forwards the webhook's path alone.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const dockerfile = read('Dockerfile');
const compose = read('docker-compose.yml');
const startScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;

/** The variables src/config.ts's schema reads (its keys), from the source. */
const configKeys = new Set(
  [.../const schema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(read('src/config.ts'))![1]!.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!),
);
/** The last stage of the Dockerfile: the image that runs. */
const runStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
/** The bots' environment in docker-compose.yml (the x-bot block). */
const botEnvironment = Object.fromEntries(
  [.../^x-bot:[\s\S]*?\n {2}environment:\n((?: {4}.*\n)+)/m.exec(compose)![1]!.matchAll(/^ {4}([A-Z][A-Z0-9_]*): (.*)$/gm)].map((m) => [m[1]!, m[2]!]),
);

/** What compose makes of ${NAME:-default} and ${NAME:?message} with these .env values. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/^"|"$/g, '').replace(/\$\{([A-Z_]+)(?::[-?]([^}]*))?\}/g, (_, name: string, fallback = '') => env[name] ?? fallback);
}

describe('Dockerfile', () => {
  it('when the image starts, then it runs the compiled main.js with the flags of npm start', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runStage)![1]!) as string[];
    expect(cmd).toEqual(startScript.split(' '));
    expect(cmd.at(-1)).toBe('dist/main.js');
  });

  it('when it is built, then every stage is Node 24, the image runs as an unprivileged user and checks /healthz', () => {
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:24[-.]/);
    expect(runStage).toMatch(/^USER node$/m);
    expect(runStage).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    // The running image holds no compiler sources or tests.
    expect(runStage).not.toMatch(/COPY .*\b(src|test)\b/);
  });

  it('when it sets environment variables, then the configuration knows each (Node\'s own aside) and loads them', () => {
    const env = Object.fromEntries([.../^ENV ([\s\S]*?)\n(?!\s)/m.exec(runStage)![1]!.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    for (const name of Object.keys(env)) expect(configKeys.has(name) || name === 'NODE_ENV', name).toBe(true);
    const config = loadConfig({ ...env, BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ' });
    expect(config).toMatchObject({ HTTP_PORT: 8080, DATA_DIR: '/data', TZ: 'Asia/Tehran' });
  });
});

describe('docker-compose.yml', () => {
  const dotEnv = {
    BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    POSTGRES_PASSWORD: 'a-long-password',
    BOT_DOMAIN: 'bot.example.org',
    WEBHOOK_SECRET: 'a_secret_of_32_characters_abcdef',
  };

  it('when the bots start, then every variable they are given is one the configuration knows, and it loads in webhook mode on PostgreSQL and Redis', () => {
    for (const name of Object.keys(botEnvironment)) expect(configKeys.has(name), name).toBe(true);
    const config = loadConfig(Object.fromEntries(Object.entries(botEnvironment).map(([k, v]) => [k, interpolate(v, dotEnv)])));
    expect(config).toMatchObject({
      WEBHOOK_URL: 'https://bot.example.org',
      WEBHOOK_SECRET: dotEnv.WEBHOOK_SECRET,
      HTTP_PORT: 8080,
      DATABASE_URL: 'postgresql://ngo:a-long-password@postgres:5432/ngo',
      REDIS_URL: 'redis://redis:6379',
    });
  });

  it('when it is read, then two bots share one definition, the stores have health checks and volumes, and only the proxy is published', () => {
    expect(compose).toMatch(/^ {2}bot1: \*bot$/m);
    expect(compose).toMatch(/^ {2}bot2: \*bot$/m);
    for (const store of ['postgres', 'redis']) {
      const block = new RegExp(`^ {2}${store}:\\n((?: {4}.*\\n|\\n)+)`, 'm').exec(compose)![1]!;
      expect(block, store).toMatch(/healthcheck:/);
      expect(block, store).toMatch(/volumes:\n\s+- \S+-data:/);
    }
    expect([...compose.matchAll(/^ {4}ports:/gm)]).toHaveLength(1);
    expect(compose).toMatch(/^ {2}caddy:\n {4}image: caddy:2\n[\s\S]*?ports:/m);
    // The proxy forwards the webhook's path alone (the bots' /metrics is not public), to both bots.
    expect(compose).toMatch(/handle \/telegram\/\* \{\s*reverse_proxy bot1:8080 bot2:8080/);
    expect(compose).toMatch(/handle \{\s*respond 404/);
  });
});
