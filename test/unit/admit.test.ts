/**
 * Admission of an update (platform/bot/middlewares/admit.ts): a re-sent update is dropped quietly, a form's
 * progress is saved even when the handler then fails, someone too fast is told once a minute, and updates
 * from groups or bots are not even looked at.
 */
import { describe, expect, it } from 'vitest';
import type { BotContext, SessionData } from '../../src/platform/bot/context.js';
import { admit } from '../../src/platform/bot/middlewares/admit.js';
import type { SessionStore } from '../../src/platform/bot/session-store.js';
import { createTranslator } from '../../src/platform/i18n/index.js';
import { MemoryKeyValueStore } from '../../src/platform/kv/index.js';

const translator = createTranslator();
const user = { id: 7n, firstName: 'مریم', language: 'fa', role: null, countyId: null };

function setup(options: { recordContact?: () => Promise<typeof user> } = {}) {
  const kv = new MemoryKeyValueStore();
  const saved = new Map<string, SessionData>();
  const sessionStore: SessionStore = {
    get: async (key) => saved.get(key),
    set: async (key, value) => void saved.set(key, structuredClone(value)),
    delete: async (key) => void saved.delete(key),
  };
  const replies: string[] = [];
  const middleware = admit({ kv, sessionStore, floodPerMinute: 3 });
  let updateId = 0;
  const ctxFor = (chatType = 'private', id = ++updateId) =>
    ({
      update: { update_id: id, message: {} },
      from: { id: 7, is_bot: false, first_name: 'مریم' },
      chat: { id: 7, type: chatType },
      services: { translator, users: { recordContact: options.recordContact ?? (async () => ({ ...user })) } },
      reply: async (text: string) => void replies.push(text),
    }) as unknown as BotContext;
  return { kv, saved, replies, middleware, ctxFor };
}

describe('admitting an update', () => {
  it('when an update comes a second time, then it is dropped quietly even if the rest failed for it', async () => {
    let calls = 0;
    const s = setup({ recordContact: async () => (calls++ === 0 ? { ...user } : Promise.reject(new Error('database down'))) });
    const first = s.ctxFor('private', 100);
    let handled = 0;
    await s.middleware(first, async () => void handled++);
    await s.middleware(s.ctxFor('private', 100), async () => void handled++);
    expect(handled).toBe(1);
    expect(s.replies).toEqual([]);
  });

  it('when the handler moved the form on and then failed, then the form stays where it moved', async () => {
    const s = setup();
    const ctx = s.ctxFor();
    await expect(
      s.middleware(ctx, async () => {
        ctx.session.form = { name: 'feedback', step: 'text', data: {}, startedAt: '2026-11-30T08:00:00Z' };
        throw new Error('the question could not be sent');
      }),
    ).rejects.toThrow('could not be sent');
    expect(s.saved.get('7:7')?.form?.step).toBe('text');
  });

  it('when someone sends more than the limit in a minute, then they are told once and the rest is not handled', async () => {
    const s = setup();
    let handled = 0;
    for (let i = 0; i < 6; i++) await s.middleware(s.ctxFor(), async () => void handled++);
    expect(handled).toBe(3);
    expect(s.replies).toHaveLength(1);
    expect(s.replies[0]).toContain(translator.t('fa', 'common.errors.too_fast'));
  });

  it('when an update comes from a group, then nothing is asked of the stores and no handler runs', async () => {
    const s = setup({ recordContact: async () => Promise.reject(new Error('must not be called')) });
    let handled = 0;
    await s.middleware(s.ctxFor('group'), async () => void handled++);
    expect(handled).toBe(0);
    expect(s.kv.size).toBe(0);
  });
});
