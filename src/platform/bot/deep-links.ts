/**
 * Deep links (t.me/<bot>?start=<payload>) that features claim; /start hands a payload to the first
 * pattern that matches. A module of its own so features and /start do not import each other.
 */
import type { BotContext } from './context.js';

type DeepLinkHandler = (ctx: BotContext, arg: string) => Promise<void>;

const deepLinks: { pattern: RegExp; handle: DeepLinkHandler }[] = [];

export function registerDeepLink(pattern: RegExp, handle: DeepLinkHandler): void {
  deepLinks.push({ pattern, handle });
}

/** True when a feature took the payload. */
export async function handleDeepLink(ctx: BotContext, payload: string): Promise<boolean> {
  for (const link of deepLinks) {
    const match = link.pattern.exec(payload);
    if (match) {
      await link.handle(ctx, match[1] ?? '');
      return true;
    }
  }
  return false;
}

/** The link that opens the bot with a payload, on Telegram (t.me) or Bale (ble.ir). */
export function deepLink(ctx: BotContext, payload: string): string {
  return `${ctx.deepLinkRoot}/${ctx.botInfo.username}?start=${payload}`;
}
