/**
 * What the simulated members send: what people do after an announcement. Each member follows a script
 * of episodes (a menu press; a command; a list and then a button under it; the feedback form begun, a
 * step answered and cancelled), so a form step never comes before its form began, and a script always
 * ends between episodes: no form is left open at the end of a phase for the next run to trip over.
 *
 * Updates go out round-robin over the members (member 0, 1, ..., 999, 0, 1, ...): a batch of 100 holds
 * 100 different chats, which is what lets the fake attribute a chat's replies to its latest update.
 *
 * The labels come from locales/fa, the callback_data from the features' own codecs (strings written out
 * here, checked against src/features/*: crs_view:<course>, crs_menu:open, fb_my:<item>, fb_mypg:<page>,
 * fb:type.<TYPE> (the feedback form's first step), dl_sub:<deadline>).
 */
import { readFileSync } from 'node:fs';
import type { TrackedUpdate } from './fake-api.js';
import { ALL_NGO_DEADLINES, COURSES, MEMBERS, memberFeedbackIds, memberUserId } from './seed.js';

const localeOf = (file: string): Record<string, string> =>
  JSON.parse(readFileSync(new URL(`../../../locales/fa/${file}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const menu = localeOf('menu');
const forms = localeOf('forms');

/** One update a member sends: a kind (for the per-kind reply counts) and its text or button. */
interface Step {
  kind: string;
  text?: string;
  command?: string;
  data?: string;
}

type Episode = { weight: number; steps: (k: number, r: () => number) => Step[] };

const pick = <T>(list: readonly T[], r: () => number): T => list[Math.floor(r() * list.length)]!;
const FREE_TEXTS = ['سلام، وقت بخیر', 'اطلاعیه را دیدم، ممنون', 'مهلت گزارش کی تمام می‌شود؟', 'چطور در دوره ثبت‌نام کنم؟'];
const FORM_TEXT = 'پیشنهاد می‌کنم زمان جلسه‌ی هم‌اندیشی یک ساعت دیرتر باشد تا اعضای شاغل هم بتوانند شرکت کنند.';

/**
 * Weights: menu presses dominate (the reply keyboard is always there), then the commands the
 * announcement names, then buttons under the lists, then the feedback form.
 */
const EPISODES: Episode[] = [
  { weight: 6, steps: () => [{ kind: 'menu:deadlines', text: menu.deadlines }] },
  { weight: 4, steps: () => [{ kind: 'menu:my_ngo', text: menu.my_ngo }] },
  { weight: 3, steps: () => [{ kind: 'menu:help', text: menu.help }] },
  { weight: 3, steps: () => [{ kind: 'menu:courses', text: menu.courses }, { kind: 'cb:crs_menu:open', data: 'crs_menu:open' }] },
  { weight: 4, steps: () => [{ kind: '/start', command: 'start' }] },
  { weight: 2, steps: () => [{ kind: '/help', command: 'help' }] },
  { weight: 5, steps: () => [{ kind: '/deadlines', command: 'deadlines' }] },
  { weight: 4, steps: (_k, r) => [{ kind: '/courses', command: 'courses' }, { kind: 'cb:crs_view', data: `crs_view:${1 + Math.floor(r() * COURSES)}` }] },
  { weight: 2, steps: (k, r) => [{ kind: '/my_feedback', command: 'my_feedback' }, { kind: 'cb:fb_my', data: `fb_my:${pick(memberFeedbackIds(k).slice(2), r)}` }] },
  { weight: 1, steps: () => [{ kind: '/my_feedback', command: 'my_feedback' }, { kind: 'cb:fb_mypg', data: 'fb_mypg:1' }] },
  { weight: 4, steps: (_k, r) => [{ kind: 'text', text: pick(FREE_TEXTS, r) }] },
  {
    weight: 2,
    steps: () => [
      { kind: 'menu:feedback', text: menu.feedback },
      { kind: 'cb:fb:type', data: 'fb:type.QUESTION' },
      { kind: 'form:text', text: FORM_TEXT },
      { kind: 'form:cancel', text: forms.cancel },
    ],
  },
  { weight: 1, steps: (_k, r) => [{ kind: 'cb:dl_sub', data: `dl_sub:${1 + Math.floor(r() * ALL_NGO_DEADLINES)}` }, { kind: '/cancel', command: 'cancel' }] },
];
const firstKind = (e: Episode) => e.steps(0, () => 0)[0]!.kind;

/**
 * BENCH_EPISODES="menu:deadlines,/courses": only the episodes that begin with these kinds, to see what one
 * kind of update costs (the README's table per kind). A script's tail is filled with the chosen one-update
 * episodes, or with all of them when none was chosen.
 */
function chosenEpisodes(): Episode[] {
  const wanted = process.env.BENCH_EPISODES?.split(',').map((k) => k.trim()).filter(Boolean);
  if (!wanted?.length) return EPISODES;
  const unknown = wanted.filter((k) => !EPISODES.some((e) => firstKind(e) === k));
  if (unknown.length) throw new Error(`BENCH_EPISODES: no episode begins with ${unknown.join(', ')} (they begin with ${[...new Set(EPISODES.map(firstKind))].join(', ')})`);
  return EPISODES.filter((e) => wanted.includes(firstKind(e)));
}
const CHOSEN = chosenEpisodes();
const isSingle = (e: Episode) => e.steps(0, () => 0).length === 1;
const SINGLE = CHOSEN.some(isSingle) ? CHOSEN.filter(isSingle) : EPISODES.filter(isSingle);
const TOTAL_WEIGHT = CHOSEN.reduce((a, e) => a + e.weight, 0);

/** mulberry32: the same mix every run and round, so runs differ only by the bot. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exactly `count` steps of whole episodes; the tail is filled with one-update episodes. */
function script(k: number, count: number, r: () => number): Step[] {
  const steps: Step[] = [];
  while (steps.length < count) {
    let roll = r() * TOTAL_WEIGHT;
    let episode = CHOSEN.find((e) => (roll -= e.weight) < 0) ?? CHOSEN[0]!;
    let next = episode.steps(k, r);
    if (steps.length + next.length > count) {
      episode = pick(SINGLE, r);
      next = episode.steps(k, r);
    }
    steps.push(...next);
  }
  return steps;
}

let nextUpdateId = 1;
let nextCallbackId = 1;
/** Ids of the bot's earlier messages that buttons are pressed on (any plausible id; the fake does not check). */
const BOT_MESSAGE_ID = 500;

function wireUpdate(k: number, step: Step, date: number): TrackedUpdate {
  const userId = memberUserId(k);
  const from = { id: userId, is_bot: false, first_name: `کاربر ${k + 1}`, language_code: 'fa' };
  const chat = { id: userId, type: 'private' as const, first_name: from.first_name };
  const update_id = nextUpdateId++;
  let update: TrackedUpdate['update'];
  if (step.data) {
    update = {
      update_id,
      callback_query: {
        id: String(7_000_000_000 + nextCallbackId++),
        from,
        message: { message_id: BOT_MESSAGE_ID, from: { id: 123456789, is_bot: true, first_name: 'Bench', username: 'bench_bot' }, chat, date: date - 5, text: '…' },
        chat_instance: String(-8_000_000_000 - k),
        data: step.data,
      },
    };
  } else {
    const text = step.command ? `/${step.command}` : step.text!;
    update = {
      update_id,
      message: {
        message_id: update_id,
        from,
        chat,
        date,
        text,
        ...(step.command ? { entities: [{ offset: 0, length: text.length, type: 'bot_command' }] } : {}),
      },
    };
  }
  return { update, kind: step.kind, chatId: userId, offeredAt: 0, handedAt: 0, repliedAt: 0, replies: 0 };
}

/** A member's /start, alone: phase a's first update. */
export function startUpdate(k = 0): TrackedUpdate {
  return wireUpdate(k, { kind: '/start', command: 'start' }, Math.floor(Date.now() / 1000));
}

/**
 * `total` updates round-robin over the members; `seed` picks the scripts (each phase gets its own, so
 * the fixed-rate phase is not a replay of the throughput phase). Update ids are unique in the process.
 */
export function buildMix(total: number, seed: number, members = MEMBERS): TrackedUpdate[] {
  const r = prng(seed);
  const perMember = Math.floor(total / members);
  const extra = total % members;
  const scripts = Array.from({ length: members }, (_, k) => script(k, perMember + (k < extra ? 1 : 0), r));
  const date = Math.floor(Date.now() / 1000);
  const out: TrackedUpdate[] = [];
  for (let round = 0; out.length < total; round++) {
    for (let k = 0; k < members && out.length < total; k++) {
      const step = scripts[k]![round];
      if (step) out.push(wireUpdate(k, step, date));
    }
  }
  return out;
}

/** Every kind the mix can produce, so a kind that got no reply at all is named even if it was rare. */
export const ALL_KINDS = [...new Set(CHOSEN.flatMap((e) => e.steps(0, () => 0).map((s) => s.kind)))];
