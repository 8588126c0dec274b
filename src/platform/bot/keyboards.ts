/** Reply-keyboard labels, recognised in every language. */
import type { BotContext } from './context.js';

/** Matches a reply-keyboard label in any language, so a button keeps working after a language switch. */
export function labelTrigger(key: string) {
  return (text: string, ctx: BotContext): RegExpExecArray | null =>
    ctx.services.translator.all(key).includes(text) ? /^[\s\S]*$/.exec(text) : null;
}
