/**
 * callback_data is whatever a client sends back, so it is parsed strictly: ASCII `action:arg`, a
 * known action, an argument of safe characters, at most Telegram's 64 bytes. Anything else is forged
 * or stale and is answered without acting.
 */
const PATTERN = /^([a-z][a-z0-9_]{0,23}):([A-Za-z0-9_-]{1,38})$/;

export function callbackData(action: string, arg: string | number | bigint): string {
  const data = `${action}:${arg}`;
  if (!PATTERN.test(data)) throw new Error(`invalid callback data for ${action}`);
  return data;
}

export function parseCallbackData(data: string | undefined, action: string): string | null {
  if (!data || data.length > 64) return null;
  const match = PATTERN.exec(data);
  return match && match[1] === action ? match[2]! : null;
}

/** A RegExp for telegraf's bot.action(): the action with any argument; the handler still parses it. */
export function actionTrigger(action: string): RegExp {
  return new RegExp(`^${action}:`);
}
