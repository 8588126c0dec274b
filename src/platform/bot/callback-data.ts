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

/** Arguments of a button, each checked against its own pattern. */
export const ARG = {
  /** A positive database id within PostgreSQL's int. */
  id: /^[1-9]\d{0,8}$/,
  /** A page number. */
  page: /^\d{1,4}$/,
  /** A short code word (a choice, a status). */
  word: /^[A-Za-z0-9_]{1,20}$/,
} as const;

type Parsed<P extends readonly RegExp[]> = { [K in keyof P]: string };

/**
 * A typed button: `const approve = callbackAction('ngo_ok', ARG.id, ARG.id)`; `approve.data(12, 3)` is
 * `ngo_ok:12-3`; `approve.parse(ctx)` is `['12', '3']`, or null for a press that does not fit (forged,
 * stale), which the handler answers as stale. `approve.trigger` goes to `bot.action()`.
 */
export interface CallbackAction<P extends readonly RegExp[]> {
  readonly name: string;
  readonly trigger: RegExp;
  data(...args: { [K in keyof P]: string | number | bigint }): string;
  parse(ctx: { callbackQuery?: unknown }): Parsed<P> | null;
}

export function callbackAction<P extends readonly RegExp[]>(name: string, ...parts: P): CallbackAction<P> {
  return {
    name,
    trigger: actionTrigger(name),
    data: (...args) => callbackData(name, args.join('-')),
    parse(ctx) {
      const query = ctx.callbackQuery as { data?: unknown } | undefined;
      const arg = parseCallbackData(typeof query?.data === 'string' ? query.data : undefined, name);
      if (arg === null) return null;
      const values = parts.length <= 1 ? [arg] : arg.split('-');
      if (values.length !== parts.length || !values.every((v, i) => parts[i]!.test(v))) return null;
      return values as Parsed<P>;
    },
  };
}
