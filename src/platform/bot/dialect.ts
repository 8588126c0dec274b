/**
 * The platform's dialect of the Bot API, applied in one place: at `callApi`, which every send, edit,
 * callback answer and the dispatcher's outbox sends go through. Features keep writing Telegram HTML;
 * on Bale (بله) it is turned into plain text here.
 *
 * Bale follows Telegram's methods and JSON, but its client libraries' sendMessage carries no
 * parse_mode (Bale documents no HTML formatting, and renders its own markdown in every text), and
 * they offer no setMyCommands: Bale answers such methods with 404 "method not found". Plain text is
 * chosen over Bale's markdown because Bale documents no escaping: a user's own "*" or "_" in a
 * name or report would be taken for formatting.
 */
import type { Telegram } from 'telegraf';

export type BotPlatform = 'telegram' | 'bale';

/** Methods Bale does not have; skipped on Bale as if they had succeeded (they only decorate the client). */
const BALE_MISSING = new Set([
  'setMyCommands',
  'deleteMyCommands',
  'getMyCommands',
  'setMyDescription',
  'setMyShortDescription',
  'setMyName',
  'setChatMenuButton',
  'setMyDefaultAdministratorRights',
]);

/** Fields Bale does not take: formatting and Telegram-only presentation. */
const TELEGRAM_ONLY_FIELDS = ['parse_mode', 'link_preview_options', 'disable_web_page_preview', 'entities', 'caption_entities'];

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Telegram HTML as plain text: tags removed, entities unescaped, a link written as "text (url)". */
export function htmlToPlainText(html: string): string {
  const linked = html.replace(/<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a>/gi, (_all, _q: string, href: string, inner: string) => {
    const text = stripTags(inner);
    const url = unescape(href);
    // A bare link already shows its address; "text (url)" would repeat it.
    return unescape(text) === url ? text : `${text} (${escapeAmp(url)})`;
  });
  return unescape(stripTags(linked));
}

function stripTags(html: string): string {
  return html.replace(/<\/?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?\/?>/g, '');
}

/** Keeps an unescaped address safe from the one unescape pass that follows. */
function escapeAmp(text: string): string {
  return text.replace(/&/g, '&amp;');
}

function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

/** A call's payload as Bale takes it, or undefined when the method is to be skipped. */
export function toBalePayload(method: string, payload: Record<string, unknown>): Record<string, unknown> | undefined {
  if (BALE_MISSING.has(method)) return undefined;
  const html = typeof payload.parse_mode === 'string' && payload.parse_mode.toUpperCase() === 'HTML';
  const out: Record<string, unknown> = { ...payload };
  for (const field of TELEGRAM_ONLY_FIELDS) delete out[field];
  if (html) {
    for (const field of ['text', 'caption'] as const) {
      if (typeof out[field] === 'string') out[field] = htmlToPlainText(out[field]);
    }
  }
  return out;
}

const applied = new WeakSet<object>();

/** Makes one Telegram client speak the platform's dialect; Telegram itself needs nothing. */
export function applyDialect(telegram: Telegram, platform: BotPlatform): void {
  if (platform === 'telegram' || applied.has(telegram)) return;
  applied.add(telegram);
  const callApi = telegram.callApi.bind(telegram);
  // One override for every method: telegraf's typed helpers all end in callApi.
  telegram.callApi = ((method: string, payload: Record<string, unknown>, options?: unknown) => {
    const bale = toBalePayload(method, payload ?? {});
    if (bale === undefined) return Promise.resolve(method === 'getMyCommands' ? [] : true);
    return (callApi as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(method, bale, options);
  }) as Telegram['callApi'];
}
