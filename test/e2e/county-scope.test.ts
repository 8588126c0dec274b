/**
 * Issue 14's scope sweep, commands: Bam's county admin sends every office command, with arguments that
 * point at Kerman's NGOs, deadlines, course, feedback and announcements, and reads every file /export
 * gives them. No reply, caption, button or exported cell may name Kerman's NGOs, their people, their
 * feedback or report texts, Kerman's course, need or deadlines; Bam's figures count Bam alone; and
 * nothing changes but the audit rows of Bam's own exports. Each check names what it looked at, so a
 * failure says which command leaked what. The buttons are swept in county-scope-buttons.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { toPersianDigits } from '../../src/platform/text/index.js';
import { t } from '../support/conversation.js';
import {
  BAM,
  BAM_ADMIN,
  changedTables,
  KERMAN,
  KERMAN_ADMIN,
  KERMAN_SECRETS,
  leaksIn,
  PROVINCE,
  scopeSnapshot,
  SHARED_DEADLINE_TITLE,
  shown,
  shownTo,
  startScopeWorld,
  type ScopeWorld,
} from '../support/county-scope-fixtures.js';
import { smokeStorageModes, type StorageMode } from '../support/database.js';
import { readCsv, readXlsx, unzip } from '../support/export-fixtures.js';
import type { FakeUser } from '../support/fake-bot-api/index.js';

const fa = (n: number) => toPersianDigits(String(n));
/**
 * Kerman's names as another keyboard types them (Arabic ك and ي, a space for the half-space, a bare
 * waw for the hamza): the search finds them all the same, and a reply that quotes the query back does
 * not contain the name itself.
 */
const APPROVED_SPELT_ARABIC = 'كانون قنات داران كرمان';
const SUSPENDED_SPELT_BARE = 'موسسه باغهای پسته';

/** One sweep as Bam's county admin: what leaked where, and the rows as they were before it. */
async function startSweep(mode: StorageMode) {
  const w = await startScopeWorld(mode);
  const bam = w.h.api.user(BAM_ADMIN, { first_name: 'بهمن' });
  const before = await scopeSnapshot(w.h.db);
  const found: string[] = [];
  /** `typed`: what the admin sent, which the bot may quote back ("nothing found for ۶۱۰۰۱"): not a leak by itself. */
  const check = (what: string, texts: string[], typed?: string) => {
    expect(texts.length, `${what} got no answer`).toBeGreaterThan(0);
    // Refused for speed, a command would prove nothing about scope.
    expect(texts, `${what} was answered`).not.toContain(t('common.errors.too_fast'));
    const quoted = typed === undefined ? [] : [typed, toPersianDigits(typed)];
    const secrets = Object.fromEntries(Object.entries(KERMAN_SECRETS).filter(([, secret]) => !quoted.includes(secret)));
    for (const leak of leaksIn(texts, secrets)) found.push(`${what} showed Kerman's ${leak}`);
  };
  /** Sends a command (the flood limit allows 40 updates a minute: each test sends fewer). */
  const sweep = async (name: string, payload?: string, options: { thenCancel?: boolean } = {}) => {
    const texts = await shown(w, bam, () => bam.sendCommand(name, payload));
    check(`/${name}${payload === undefined ? '' : ` ${payload}`}`, texts, payload);
    // A search or a form left open would take the next message as its answer.
    if (options.thenCancel) await shown(w, bam, () => bam.sendCommand('cancel'));
    return texts.join('\n');
  };
  /** Nothing leaked, and no row changed. */
  const finish = async () => {
    expect(found, "what Bam's county admin was shown of Kerman").toEqual([]);
    expect(changedTables(before, await scopeSnapshot(w.h.db)), 'tables changed by the sweep').toEqual([]);
  };
  return { w, bam, before, found, check, sweep, finish };
}

describe.each(smokeStorageModes())('county scope, commands (%s storage)', (mode: StorageMode) => {
  it("when Kerman's NGOs register, report and complain, then the office is told and Bam's county admin hears nothing of it", async () => {
    const w = await startScopeWorld(mode);
    const toChat = (chatId: number) => shownTo(w.h, chatId, 0).texts;
    expect(leaksIn(toChat(BAM_ADMIN)), "notices to Bam's county admin").toEqual([]);
    // The notices went out: Kerman's county admin heard of the registration and the named complaint.
    expect(leaksIn(toChat(KERMAN_ADMIN)), "notices to Kerman's county admin").toEqual(expect.arrayContaining(['newly registered NGO name', 'named feedback text']));
  });

  it("when Bam's county admin looks up Kerman's NGOs by number, name, part of a name or registration number, or in the audit trail and staff commands, then no reply names them", { timeout: 60_000 }, async () => {
    const { w, sweep, finish } = await startSweep(mode);
    const { kerman } = w;
    for (const id of [kerman.approved, kerman.pending, kerman.suspended]) await sweep('ngo', String(id));
    await sweep('ngo', fa(kerman.pending));
    for (const query of [APPROVED_SPELT_ARABIC, 'قنات', KERMAN.approved.registration, toPersianDigits(KERMAN.pending.registration), SUSPENDED_SPELT_BARE]) {
      await sweep('find', query, { thenCancel: true });
    }
    // The same searches find Kerman's NGOs for province staff: the refusals above are the scope's doing.
    const province = w.h.api.user(PROVINCE, { first_name: 'رضا' });
    for (const [query, name] of [
      [APPROVED_SPELT_ARABIC, KERMAN.approved.name],
      [SUSPENDED_SPELT_BARE, KERMAN.suspended.name],
      [KERMAN.approved.registration, KERMAN.approved.name],
    ] as const) {
      expect((await shown(w, province, () => province.sendCommand('find', query))).join('\n'), `province staff find ${name} by "${query}"`).toContain(name);
      await shown(w, province, () => province.sendCommand('cancel'));
    }
    expect(await sweep('pending'), "/pending lists Bam's own registration").toContain(BAM.pending.name);
    expect(await sweep('find', 'ارگ', { thenCancel: true }), "/find finds Bam's own NGO").toContain(BAM.approved.name);

    // The audit trail: by Kerman's NGO numbers, by their names, and unfiltered.
    for (const id of [kerman.approved, kerman.suspended]) await sweep('audit', String(id));
    await sweep('audit', APPROVED_SPELT_ARABIC);
    await sweep('audit', 'کرمان');
    await sweep('audit');

    // Staff management is the super admins' alone.
    for (const [name, payload] of [
      ['admins', undefined],
      ['add_admin', `${KERMAN_ADMIN} county بم`],
      ['remove_admin', String(KERMAN_ADMIN)],
      ['add_holiday', '1405/10/05 روز آزمایشی'],
      ['remove_holiday', '1405/10/05'],
    ] as const) {
      expect(await sweep(name, payload), `/${name} does not show a county admin the staff`).not.toContain(KERMAN.staffName);
    }
    await finish();
  });

  it("when Bam's county admin opens Kerman's deadlines, course, feedback and announcements by number, or the lists and forms, then no reply names them", { timeout: 60_000 }, async () => {
    const { w, bam, check, sweep, finish } = await startSweep(mode);
    for (const id of [w.projectDeadline, w.reportingDeadline]) await sweep('deadline', String(id));
    const shared = await sweep('deadline', String(w.sharedDeadline));
    expect(shared, "the province-wide deadline's page lists Bam's NGO").toContain(BAM.approved.name);
    await sweep('deadlines_admin');
    await sweep('course', String(w.course));
    await sweep('manage_courses');
    await sweep('needs');
    await sweep('inbox');
    for (const id of [w.namedFeedback, w.anonymousFeedback]) await sweep('inbox', fa(id));
    await sweep('broadcasts');
    await sweep('recurring');
    await sweep('feedback_settings');
    await sweep('holidays');
    await sweep('help');

    // The project form's NGO step: Kerman's NGO cannot be picked by name, registration number or id.
    await shown(w, bam, () => bam.sendCommand('new_deadline'));
    await shown(w, bam, () => bam.pressButtonByText(t('deadlines.form.kind_project')));
    for (const typed of [APPROVED_SPELT_ARABIC, KERMAN.approved.registration, String(w.kerman.approved), fa(w.kerman.approved)]) {
      check(`/new_deadline's NGO step given "${typed}"`, await shown(w, bam, () => bam.sendText(typed)), typed);
    }
    await shown(w, bam, () => bam.sendCommand('cancel'));
    for (const name of ['new_course', 'broadcast']) await sweep(name, undefined, { thenCancel: true });
    await finish();
  });

  it("when Bam's county admin reads /stats and exports every table, then the figures count Bam alone and no file holds a Kerman row", { timeout: 120_000 }, async () => {
    const { w, bam, before, found, check } = await startSweep(mode);
    const lastAudit = (await w.h.db.prisma.auditLog.findFirst({ orderBy: { id: 'desc' } }))?.id ?? 0n;
    await statsCoverBamOnly(w, bam, check);
    await exportsHoldBamOnly(w, bam, found);
    expect(found, "what Bam's county admin was shown of Kerman").toEqual([]);
    // Nothing changed but the audit rows of Bam's own exports.
    expect(changedTables(before, await scopeSnapshot(w.h.db)).filter((table) => table !== 'audit rows'), 'tables changed').toEqual([]);
    const added = await w.h.db.prisma.auditLog.findMany({ where: { id: { gt: lastAudit } } });
    expect(added.map((a) => `${a.action} by ${String(a.actorId)}`), 'audit rows written').toEqual(added.map(() => `export.created by ${BAM_ADMIN}`));
    expect(added, 'one audit row per export').toHaveLength(TABLES.length + 1);
  });
});

/** /stats and each of its sections: Bam's figures only, where Kerman's would show as non-zero counts. */
async function statsCoverBamOnly(w: ScopeWorld, bam: FakeUser, check: (what: string, texts: string[]) => void): Promise<void> {
  const { h } = w;
  const province = h.api.user(PROVINCE, { first_name: 'رضا' });
  const sections: Record<string, string> = {};
  const provinceSections: Record<string, string> = {};
  for (const [who, user, into] of [
    ['bam', bam, sections],
    ['province', province, provinceSections],
  ] as const) {
    const opened = await shown(w, user, () => user.sendCommand('stats'));
    into.ngos = opened.join('\n');
    for (const section of ['courses', 'feedback', 'broadcasts', 'deadlines'] as const) {
      into[section] = (await shown(w, user, () => user.pressButtonByText(t(`stats.buttons.${section}`)))).join('\n');
    }
    if (who === 'bam') for (const [section, text] of Object.entries(into)) check(`/stats ${section}`, [text]);
  }
  const zero = '۰';
  const expectations: [string, string, string][] = [
    ['ngos', t('stats.ngos.status_line', { approved: '۱', pending: '۱', rejected: zero, suspended: '۱' }), 'NGO statuses count Bam only'],
    ['courses', t('stats.courses.demand', { needs: zero, demand: zero }), "training demand leaves out Kerman's need"],
    ['courses', t('stats.courses.seats', { seats: zero, courses: zero }), "seats leave out Kerman's course"],
    ['feedback', t('stats.feedback.received', { days: '۹۰', received: zero }), "feedback received leaves out Kerman's"],
    ['broadcasts', t('stats.broadcasts.count_county', { days: '۹۰', count: zero }), 'announcements to Kerman are not counted'],
    ['deadlines', t('stats.deadlines.on_time', { count: zero }), "Kerman's report is not counted"],
    ['deadlines', t('stats.deadlines.due', { count: '۱' }), "of the open deadlines' parts, only Bam's NGO's in the province-wide one is counted"],
  ];
  for (const [section, line, why] of expectations) expect(sections[section], `/stats ${section}: ${why}`).toContain(line);
  for (const [section, text] of Object.entries(sections)) expect(text, `/stats ${section} names no other county`).not.toContain('کرمان');
  // The same figures for the province do count Kerman: the checks above could see a leak.
  expect(provinceSections.courses, "the province's seats count Kerman's course").toContain(t('stats.courses.seats', { seats: fa(KERMAN.courseCapacity), courses: '۱' }));
  expect(provinceSections.ngos).toContain(t('stats.ngos.status_line', { approved: '۲', pending: '۳', rejected: zero, suspended: '۲' }));
  expect(provinceSections.feedback, "the province's feedback counts Kerman's").toContain(t('stats.feedback.received', { days: '۹۰', received: '۲' }));
}

const TABLES = ['ngos', 'members', 'courses', 'needs', 'feedback', 'deadlines', 'broadcasts', 'all'] as const;

/** Every table as XLSX, and everything as CSV, read back: no Kerman row, and Bam's own rows there. */
async function exportsHoldBamOnly(w: ScopeWorld, bam: FakeUser, found: string[]): Promise<void> {
  const { h } = w;
  bam.sendCommand('export');
  const menuMessage = await bam.waitForReply((c) => (c.replyMarkup as { inline_keyboard?: unknown[] } | undefined)?.inline_keyboard !== undefined);
  const messageId = (menuMessage.response as { result: { message_id: number } }).result.message_id;
  const files: { name: string; cells: string[] }[] = [];
  for (const [table, format] of [...TABLES.map((tb) => [tb, 'xlsx'] as const), ['all', 'csv'] as const]) {
    const mark = h.api.mark();
    bam.pressButton(`exp_f:${table}-${format}`, messageId);
    const document = await h.api.waitForCall('sendDocument', (c) => c.chatId === BAM_ADMIN, { after: mark, timeoutMs: 20_000 });
    const bytes = document.upload!.bytes!;
    if (format === 'xlsx') {
      for (const sheet of await readXlsx(bytes)) files.push({ name: `${table}.xlsx sheet ${sheet.name}`, cells: [sheet.header, ...sheet.rows].flat().map(String) });
    } else {
      for (const [entry, content] of await unzip(bytes)) {
        const csv = readCsv(content);
        files.push({ name: `${table}.zip ${entry}`, cells: [csv.header, ...csv.rows].flat() });
      }
    }
    files.push({ name: `${table}.${format} caption`, cells: [String(document.params.caption ?? '')] });
    await h.waitForIdle();
  }
  for (const file of files) {
    for (const leak of leaksIn(file.cells)) found.push(`/export ${file.name} held Kerman's ${leak}`);
    if (file.cells.some((c) => c.includes('کرمان'))) found.push(`/export ${file.name} named Kerman`);
  }
  const ngoCells = files.filter((f) => f.name.startsWith('ngos.xlsx')).flatMap((f) => f.cells);
  expect(ngoCells, "Bam's NGO export holds Bam's NGOs").toEqual(expect.arrayContaining([BAM.approved.name, BAM.pending.name, BAM.suspended.name]));
  // The province-wide deadline is Bam's too: it is exported, with Bam's part and without Kerman's report.
  const deadlineCells = files.filter((f) => f.name.startsWith('deadlines.xlsx')).flatMap((f) => f.cells);
  expect(deadlineCells, "Bam's deadline export holds the province-wide deadline and Bam's NGO").toEqual(expect.arrayContaining([SHARED_DEADLINE_TITLE, BAM.approved.name]));
}
