/**
 * Where features register their commands, buttons and labels: telegraf's Composer API (command, start,
 * help, hears, action, on), with telegraf's typings, but one flat table instead of a chain.
 *
 * Why: a Composer wraps every handler in its own middleware, and an update passes through each of them
 * with a pending promise and async frame per handler until the one that answers has finished. With a
 * hundred handlers that was some 300 live frames per update: under a batch of 100 concurrent updates the
 * garbage collector spent a third of the bot's CPU copying them. Here the routes are checked in order by
 * plain synchronous tests; only the handler that matches runs as middleware. The order and the meaning
 * of each test are telegraf's (a handler that calls next() passes the update on to the routes after it).
 */
import { Composer, type Context, type Middleware, type MiddlewareFn } from 'telegraf';

type Trigger<C> = string | RegExp | ((value: string, ctx: C) => RegExpExecArray | null);
type Test<C> = (value: string, ctx: C) => RegExpExecArray | null;

interface Route<C extends Context> {
  /** Synchronous; on a match it sets what telegraf sets (ctx.match, and ctx.command/payload for commands). */
  matches(ctx: C): boolean;
  handler: MiddlewareFn<C>;
}

export class Handlers<C extends Context> extends Composer<C> {
  readonly #routes: Route<C>[] = [];

  /** The routes of `parts`, in their order: what Composer.compose([...]) did for composers. */
  constructor(...parts: readonly Handlers<C>[]) {
    super();
    for (const part of parts) this.#routes.push(...part.#routes);
  }

  /** @internal used by the registration methods below. */
  addRoute(matches: (ctx: C) => boolean, fns: readonly Middleware<C>[]): this {
    this.#routes.push({ matches, handler: Composer.compose([...fns]) });
    return this;
  }

  // Everything else a Composer offers would bypass the table: refused loudly rather than silently slow.
  override use(): this {
    throw new Error('Handlers: register with command, start, help, hears, action or on');
  }

  override middleware(): MiddlewareFn<C> {
    const routes = this.#routes;
    const from = (i: number, ctx: C, next: () => Promise<void>): Promise<unknown> => {
      for (; i < routes.length; i++) {
        const route = routes[i]!;
        if (route.matches(ctx)) {
          const after = i + 1;
          return Promise.resolve(route.handler(ctx, () => from(after, ctx, next) as Promise<void>));
        }
      }
      return next();
    };
    return (ctx, next) => from(0, ctx, next);
  }
}

function tests<C>(triggers: Trigger<C> | readonly Trigger<C>[]): Test<C>[] {
  return (Array.isArray(triggers) ? triggers : [triggers]).map((trigger: Trigger<C>) => {
    if (typeof trigger === 'function') return trigger;
    const regex = trigger instanceof RegExp ? trigger : new RegExp(`^${trigger.replace(/[.*+\-?^${}()|[\]\\]/g, '\\$&')}$`);
    return (value: string) => {
      regex.lastIndex = 0;
      return regex.exec(value);
    };
  });
}

function firstMatch<C>(list: readonly Test<C>[], value: string, ctx: C): RegExpExecArray | null {
  for (const test of list) {
    const match = test(value, ctx);
    if (match) return match;
  }
  return null;
}

type Loose = Context & { match?: RegExpExecArray; command?: string; payload?: string; args?: string[]; startPayload?: string };

/** A text message's command at its start (/name or /name@thisbot), as telegraf's Composer.command reads it. */
function commandOf(ctx: Loose): { command: string; payload: string } | null {
  const message = ctx.message;
  if (!message || !('text' in message)) return null;
  const entity = message.entities?.[0];
  if (entity?.type !== 'bot_command' || entity.offset > 0) return null;
  const [part, to] = message.text.slice(0, entity.length).split('@');
  if (!part) return null;
  if (to && to.toLowerCase() !== ctx.me.toLowerCase()) return null;
  return { command: part.slice(1), payload: message.text.slice(entity.length + 1) };
}

function textOf(ctx: Loose): string | undefined {
  const message = ctx.message;
  return message && 'text' in message ? message.text : undefined;
}

function dataOf(ctx: Loose): string | undefined {
  const query = ctx.callbackQuery;
  return query && 'data' in query ? query.data : undefined;
}

type Fns = readonly Middleware<Loose>[];

/** A route for a text (a label typed or pressed) or a button's data matching one of the triggers. */
function matchRoute(handlers: Handlers<Loose>, valueOf: (ctx: Loose) => string | undefined, triggers: Trigger<Loose> | readonly Trigger<Loose>[], fns: Fns) {
  const list = tests(triggers);
  return handlers.addRoute((ctx) => {
    const value = valueOf(ctx);
    const match = value === undefined ? null : firstMatch(list, value, ctx);
    if (match) ctx.match = match;
    return match !== null;
  }, fns);
}

// Registration, assigned to the prototype so that features keep Composer's typings: each handler's
// context is narrowed exactly as telegraf narrows it (ctx.match, ctx.payload, ctx.message.text ...).
const registrations = {
  command(this: Handlers<Loose>, names: Trigger<Loose> | readonly Trigger<Loose>[], ...fns: Fns) {
    const list = tests(names);
    return this.addRoute((ctx) => {
      const found = commandOf(ctx);
      const match = found && firstMatch(list, found.command, ctx);
      if (!match) return false;
      // telegraf parses args lazily from the entities; no feature reads them, so they stay empty.
      Object.assign(ctx, { match, command: found.command, payload: found.payload, args: [] });
      return true;
    }, fns);
  },
  start(this: Handlers<Loose>, ...fns: Fns) {
    const handler = Composer.compose([...fns]);
    return registrations.command.call(this, 'start', (ctx, next) => handler(Object.assign(ctx, { startPayload: ctx.payload }), next));
  },
  help(this: Handlers<Loose>, ...fns: Fns) {
    return registrations.command.call(this, 'help', ...fns);
  },
  hears(this: Handlers<Loose>, triggers: Trigger<Loose> | readonly Trigger<Loose>[], ...fns: Fns) {
    return matchRoute(this, textOf, triggers, fns);
  },
  action(this: Handlers<Loose>, triggers: Trigger<Loose> | readonly Trigger<Loose>[], ...fns: Fns) {
    return matchRoute(this, dataOf, triggers, fns);
  },
  /** Update types ('message', 'callback_query', 'my_chat_member') and message types ('text', 'contact' ...). */
  on(this: Handlers<Loose>, types: string | readonly string[], ...fns: Fns) {
    const list: readonly unknown[] = Array.isArray(types) ? types : [types];
    // telegraf also takes filter functions (message('text')); this table takes type names only.
    if (list.some((type) => typeof type !== 'string')) throw new Error('Handlers.on: give update or message type names');
    return this.addRoute((ctx) => {
      const update = ctx.update as unknown as Record<string, unknown>;
      const message = update.message as Record<string, unknown> | undefined;
      return (list as readonly string[]).some((type) => type in update || (message !== undefined && type in message));
    }, fns);
  },
};
Object.assign(Handlers.prototype, registrations);
