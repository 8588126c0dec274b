/**
 * Issue 14's scope sweep, buttons: the office's screens of Kerman's NGOs, deadlines, course, needs,
 * feedback, announcements, audit trail and staff are opened as province staff (and the super admin)
 * first, and every button they show is recorded; Bam's county admin then presses each of them, as a
 * kept or forged button would be. Every press is answered; those that name Kerman's things are
 * refused; none shows Kerman's names or texts; and no row changes (each press is checked on its own,
 * so a failure names the button and the table). The commands are swept in county-scope.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { t } from '../support/conversation.js';
import {
  BAM_ADMIN,
  changedTables,
  KERMAN,
  KERMAN_ADMIN,
  leaksIn,
  PROVINCE,
  scopeSnapshot,
  shown,
  shownTo,
  startScopeWorld,
  SUPER,
  type ScopeWorld,
} from '../support/county-scope-fixtures.js';
import { smokeStorageModes, type StorageMode } from '../support/database.js';
import type { FakeUser } from '../support/fake-bot-api/index.js';
import { createAdmin } from '../support/ngo-fixtures.js';

/** Buttons whose first argument names one NGO, deadline, course, feedback item, announcement or staff member. */
const NAMES_AN_ITEM = /^(ngo_ok|ngo_no|ngo_susp|ngo_react|ngo_view|ngo_card|ngo_cardr|ngo_edit|ngo_edf|ngo_mem|dl_view|dl_rep|dl_acc|dl_ext|dl_close|dl_closeok|dl_new|cadm\w*|fbi_v|fbi_re|fbi_cl|fbi_ro|fbi_as|fbi_at|bc_cancel|rc_cancel|stf_\w+):/;

/** How the bot refuses a button outside the presser's reach: stale, not theirs, not in their area, not found, not allowed. */
const REFUSALS = [
  'common.errors.stale_button',
  'common.errors.not_admin',
  'admin.only_super',
  'ngo.review.other_county',
  'ngo.errors.not_found',
  'courses.errors.other_county',
  'deadlines.errors.not_found',
  'deadlines.errors.other_counties',
  'deadlines.errors.ngo_other_county',
  'feedback.errors.not_found',
  'broadcast.errors.not_yours',
  'recurring.errors.not_found',
];

/** Province staff and the super admin open every screen of Kerman's things; returns every button shown to them. */
async function recordOfficeButtons(w: ScopeWorld): Promise<string[]> {
  const { h, kerman } = w;
  const mark = h.api.mark();
  const province = h.api.user(PROVINCE, { first_name: 'رضا' });
  const superAdmin = h.api.user(SUPER, { first_name: 'راهبر' });
  const send = (user: FakeUser, name: string, payload?: string) => shown(w, user, () => user.sendCommand(name, payload));
  const pressData = (user: FakeUser, data: string) => shown(w, user, () => user.pressButton(data));
  const seen = (user: FakeUser) => shownTo(h, user.id, mark).buttons;
  const pressFirst = async (user: FakeUser, prefix: string) => {
    const data = seen(user).find((d) => d.startsWith(prefix));
    expect(data, `province staff were shown a ${prefix} button`).toBeDefined();
    await pressData(user, data!);
  };

  // NGOs: each status's review card, the /find profile, its members and the edit menu.
  for (const id of [kerman.approved, kerman.pending, kerman.suspended]) await send(province, 'ngo', String(id));
  await send(province, 'find', 'قنات');
  await pressFirst(province, 'ngo_card:');
  await pressFirst(province, 'ngo_mem:');
  await pressFirst(province, 'ngo_edit:');
  await send(province, 'cancel');
  // Deadlines: the list, each page, the report and the close confirmation.
  await send(province, 'deadlines_admin');
  for (const id of [w.projectDeadline, w.reportingDeadline, w.sharedDeadline]) await send(province, 'deadline', String(id));
  // Kerman's reports, to its own deadline and to the province-wide one Bam's admin may open.
  for (const data of seen(province).filter((d) => d.startsWith('dl_rep:'))) await pressData(province, data);
  for (const data of seen(province).filter((d) => d.startsWith('dl_close:'))) await pressData(province, data);
  // The course, its attendance sheet, the list; the needs and their drill-down.
  await send(province, 'course', String(w.course));
  await pressFirst(province, 'cadm_att:');
  await send(province, 'manage_courses');
  await send(province, 'needs');
  await pressFirst(province, 'need_dd:c');
  // Announcements; the statistics' sections.
  await send(province, 'broadcasts');
  await send(province, 'recurring');
  await send(province, 'stats');
  // The project form's NGO picker, offering Kerman's NGO.
  await send(province, 'new_deadline');
  await pressData(province, seen(province).find((d) => d.endsWith('.project'))!);
  await shown(w, province, () => province.sendText('قنات'));
  await send(province, 'cancel');
  // Feedback, the audit trail and the staff, as the super admin (a person's flood limit is 40 updates a minute).
  await send(superAdmin, 'inbox');
  for (const id of [w.namedFeedback, w.anonymousFeedback]) await send(superAdmin, 'inbox', String(id));
  await pressFirst(superAdmin, 'fbi_as:');
  await pressFirst(superAdmin, 'fbi_cty:');
  await send(superAdmin, 'audit', String(kerman.approved));
  await pressFirst(superAdmin, 'aud_who:');
  await send(superAdmin, 'admins');
  // The Kerman county admin's card, role menu and removal confirmation.
  await pressData(superAdmin, `stf_card:${KERMAN_ADMIN}`);
  await pressData(superAdmin, `stf_role:${KERMAN_ADMIN}`);
  await pressData(superAdmin, `stf_rm:${KERMAN_ADMIN}`);
  await pressFirst(superAdmin, 'stf_inv:');
  await pressFirst(superAdmin, 'stf_invl:');
  // Lists of every county are kept for Kerman's, Bam's and "all counties" only: the rest add nothing.
  const counties = new Set([0, w.kerman.county, w.bam.county]);
  const countyOf = (data: string): number | null => {
    const match = /^(?:fbi_ls|fbi_cty):\w-\w-(\d+)-|^stf_setc:\d+-(\d+)$|^stf_invc:(\d+)$|^need_dd:c(\d+)$/.exec(data);
    return match ? Number(match.slice(1).find((m) => m !== undefined)) : null;
  };
  return [...new Set([...seen(province), ...seen(superAdmin)])].filter((data) => {
    const county = countyOf(data);
    return county === null || counties.has(county);
  });
}

/** The project form's button that picks Kerman's approved NGO, as province staff were shown it. */
function kermanPickerButton(w: ScopeWorld): string {
  const calls = w.h.api.calls().filter((c) => c.chatId === PROVINCE);
  const buttons = calls.flatMap((c) => ((c.replyMarkup ?? {}) as { inline_keyboard?: { text: string; callback_data?: string }[][] }).inline_keyboard ?? []).flat();
  // The form's own buttons read "<form>:<step>.<choice>"; the profile and report buttons also name the NGO.
  const picker = buttons.find((b) => b.text.includes(KERMAN.approved.name) && b.callback_data?.includes(':ngo.'));
  expect(picker, "the project form offered province staff Kerman's NGO").toBeDefined();
  return picker!.callback_data!;
}

describe.each(smokeStorageModes())('county scope, buttons (%s storage)', (mode: StorageMode) => {
  it("when Bam's county admin presses every button province staff were shown for Kerman's things, then each is answered, those naming Kerman's items are refused, nothing of Kerman's is shown and no row changes", { timeout: 240_000 }, async () => {
    const w = await startScopeWorld(mode);
    const { h } = w;
    const recorded = await recordOfficeButtons(w);
    // Exports are the presser's own scope and write an audit row: county-scope.test.ts reads their files.
    const buttons = recorded.filter((d) => !d.startsWith('exp_f:'));

    // Several of Bam's county admins take turns: one person may send 40 updates a minute.
    const pressers: FakeUser[] = [];
    for (let i = 0; i < Math.ceil(buttons.length / 30); i++) {
      const id = BAM_ADMIN + 100 * i;
      if (i > 0) await createAdmin(h.db, id, 'COUNTY_ADMIN', { countyName: 'بم', firstName: `بهمن ${i}` });
      pressers.push(h.api.user(id, { first_name: 'بهمن' }));
    }
    // A message of their own for the presses to come from, as a kept button would.
    const messages = new Map<FakeUser, number>();
    for (const user of pressers) {
      user.sendCommand('help');
      const help = await user.waitForReply();
      messages.set(user, (help.response as { result: { message_id: number } }).result.message_id);
    }
    const refusals = REFUSALS.map((key) => new RegExp(`^${escapeRegExp(t(key)).replace(/\\\{\\\{\w+\\\}\\\}/g, '.+')}$`));

    // The province-wide deadline is Bam's too: its page and the first step of extending or closing it
    // are theirs to open (showing Bam's NGO alone); closing it, extending it and Kerman's report are not.
    const shared = w.sharedDeadline;
    const bamMaySee = new Set([`dl_view:${shared}`, `dl_ext:${shared}`, `dl_close:${shared}`]);
    expect(buttons, "province staff's buttons for the province-wide deadline").toEqual(
      expect.arrayContaining([...bamMaySee, `dl_closeok:${shared}`, `dl_rep:${shared}-${w.kerman.approved}`, `dl_acc:${shared}-${w.kerman.approved}`]),
    );
    const problems: string[] = [];
    let before = await scopeSnapshot(h.db);
    for (const [i, data] of buttons.entries()) {
      const user = pressers[Math.floor(i / 30)]!;
      let pressId = '';
      const texts = await shown(w, user, () => (pressId = user.pressButton(data, messages.get(user)).update.callback_query.id));
      if (!h.api.calls('answerCallbackQuery').some((c) => c.params.callback_query_id === pressId)) problems.push(`${data} was not answered`);
      for (const leak of leaksIn(texts)) problems.push(`${data} showed Kerman's ${leak}`);
      if (NAMES_AN_ITEM.test(data) && !bamMaySee.has(data) && !texts.some((text) => refusals.some((r) => r.test(text)))) problems.push(`${data} was not refused: ${texts.join(' | ')}`);
      const after = await scopeSnapshot(h.db);
      for (const table of changedTables(before, after)) problems.push(`${data} changed ${table}`);
      before = after;
    }
    // Pressed while Bam's own project form waits for its NGO, the picker's button is refused and the form stays.
    const picker = kermanPickerButton(w);
    const last = pressers.at(-1)!;
    await shown(w, last, () => last.sendCommand('new_deadline'));
    await shown(w, last, () => last.pressButtonByText(t('deadlines.form.kind_project')));
    const beforePick = await scopeSnapshot(h.db);
    const picked = await shown(w, last, () => last.pressButton(picker, messages.get(last)));
    for (const leak of leaksIn(picked)) problems.push(`${picker} in Bam's project form showed Kerman's ${leak}`);
    if (!picked.includes(t('deadlines.errors.ngo_other_county'))) problems.push(`${picker} in Bam's project form was not refused: ${picked.join(' | ')}`);
    if (picked.some((text) => text.includes(t('deadlines.form.ask_project_title')))) problems.push(`${picker} moved Bam's project form on to the title`);
    for (const table of changedTables(beforePick, await scopeSnapshot(h.db))) problems.push(`${picker} changed ${table}`);

    // Extending the province-wide deadline through its form: refused at the end, nothing moved.
    await shown(w, last, () => last.sendCommand('cancel'));
    const beforeExtend = await scopeSnapshot(h.db);
    await shown(w, last, () => last.pressButton(`dl_ext:${shared}`, messages.get(last)));
    const extended = await shown(w, last, () => last.sendText('1405/11/01'));
    if (!extended.includes(t('deadlines.errors.other_counties'))) problems.push(`extending the province-wide deadline was not refused: ${extended.join(' | ')}`);
    for (const table of changedTables(beforeExtend, await scopeSnapshot(h.db))) problems.push(`extending the province-wide deadline changed ${table}`);

    expect(problems, "what Bam's county admins reached through Kerman's buttons").toEqual([]);
    expect(buttons.filter((d) => NAMES_AN_ITEM.test(d)).length, 'buttons naming Kerman items were swept').toBeGreaterThan(20);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
