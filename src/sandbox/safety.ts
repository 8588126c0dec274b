/**
 * The sandbox's two promises: it talks to nothing but its own Bot API emulator on this machine, and its
 * page is reachable from this machine only unless the person running it says otherwise.
 */
import { isIP } from 'node:net';

export class SandboxRefused extends Error {}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * A BOT_TOKEN in the environment with no Bot API root, or one on another machine, is a real bot: the
 * sandbox refuses rather than leave anyone wondering which bot their test messages went to.
 */
export function refuseRealBot(env: NodeJS.ProcessEnv): void {
  const token = env.BOT_TOKEN?.trim();
  if (!token) return;
  const root = env.BOT_API_ROOT?.trim();
  let host: string | undefined;
  try {
    host = root ? new URL(root).hostname : undefined;
  } catch {
    host = undefined;
  }
  if (host !== undefined && isLoopbackHost(host)) return;
  throw new SandboxRefused(
    [
      'محیط آزمایشی با توکن یک ربات واقعی اجرا نمی‌شود: BOT_TOKEN در محیط تعریف شده و BOT_API_ROOT به تلگرام (یا سرور دیگری) اشاره می‌کند.',
      'The sandbox does not run with a real bot: BOT_TOKEN is set and BOT_API_ROOT points at Telegram (or another host).',
      'محیط آزمایشی توکن لازم ندارد؛ BOT_TOKEN را بردارید و دوباره اجرا کنید، یا ربات واقعی را با npm start اجرا کنید.',
      'The sandbox needs no token: unset BOT_TOKEN and run it again, or run the real bot with npm start.',
    ].join('\n'),
  );
}

/** Where the page listens: loopback unless SANDBOX_HOST says otherwise (then `exposed` is true, and said). */
export function listenAddress(env: NodeJS.ProcessEnv): { host: string; port: number; exposed: boolean } {
  const host = env.SANDBOX_HOST?.trim() || '127.0.0.1';
  const portText = env.SANDBOX_PORT?.trim() || '8377';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) throw new SandboxRefused(`SANDBOX_PORT must be a port number (0-65535), not "${portText}"`);
  return { host, port, exposed: !isLoopbackHost(host) };
}
