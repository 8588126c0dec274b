/**
 * /export end to end, through the fake Bot API over HTTP: an admin picks a table and a format and
 * receives the file as an uploaded document, which the test opens with a real XLSX reader, a CSV
 * parser and an unzipper; a county admin's file holds their county only; members, strangers and
 * forged buttons get nothing, and every export leaves an audit row.
 */
import { describe, expect, it } from 'vitest';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { answerTo, inlineLabels, NOT_ADMIN, reply, STALE_BUTTON, t } from '../support/conversation.js';
import { e2eStorageMode } from '../support/database.js';
import {
  column,
  FORMULA_NGO,
  KERMAN_ADMIN,
  KERMAN_MANAGER,
  KERMAN_NGO,
  OFFICE_STAFF,
  RAFSANJAN_NGO,
  readCsv,
  readXlsx,
  seedOffice,
  STRANGER,
  SUPER,
  unzip,
} from '../support/export-fixtures.js';
import type { FakeUser, RecordedCall } from '../support/fake-bot-api/index.js';
import { startOffice, testClock } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';

const NOW = jalaliToDate({ jy: 1405, jm: 9, jd: 9 }, { hour: 10, minute: 30 });

describe(`/export (${e2eStorageMode()} storage)`, () => {
  async function setup(): Promise<Harness> {
    const { h } = await startOffice({
      adminIds: [Number(SUPER)],
      clock: testClock(NOW),
      staff: OFFICE_STAFF.map((s) => ({ ...s, id: Number(s.id) })),
    });
    await seedOffice(h.db, NOW);
    return h;
  }

  /** Presses through the menu: /export, the table, the format; returns the uploaded document. */
  async function exportVia(h: Harness, user: FakeUser, table: string, format: string): Promise<RecordedCall> {
    user.sendCommand('export');
    const menu = await reply(user, 'کدام جدول');
    expect(inlineLabels(menu)).toContain(table);
    user.pressButtonByText(table);
    await h.api.waitForCall('editMessageText', (c) => c.chatId === user.id && String(c.params.text).includes('قالب فایل'));
    user.pressButtonByText(format);
    const document = await h.api.waitForCall('sendDocument', (c) => c.chatId === user.id, { timeoutMs: 20_000 });
    await h.api.waitForCall('editMessageText', (c) => c.chatId === user.id && String(c.params.text).includes('فرستاده شد'));
    return document;
  }

  it('when a super admin exports the NGOs as Excel, then a right-to-left workbook arrives as a document with phones and a Persian caption', async () => {
    const h = await setup();
    const admin = h.api.user(Number(SUPER), { first_name: 'راهبر' });
    const document = await exportVia(h, admin, t('exports.tables.ngos'), t('exports.menu.format_xlsx'));

    expect(document.upload?.fileName).toBe('ngos-1405-09-09.xlsx');
    expect(document.upload?.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(String(document.params.caption)).toContain('سازمان‌ها: ۳ ردیف');
    expect(String(document.params.caption)).toContain('کل استان');
    const [ngos] = await readXlsx(document.upload!.bytes!);
    expect(ngos!.rightToLeft).toBe(true);
    expect(ngos!.frozenRows).toBe(1);
    expect(column(ngos!, 'نام سازمان')).toEqual([KERMAN_NGO, RAFSANJAN_NGO, FORMULA_NGO]);
    expect(column(ngos!, 'تلفن همراه مدیر')).toEqual(['09121234567', '09121234567', '09121234567']);

    const audit = await h.db.prisma.auditLog.findMany({ where: { action: 'export.created' } });
    expect(audit.map((a) => [a.actorId, a.entityId])).toEqual([[SUPER, 'ngos']]);
  });

  it("when a county admin exports everything as CSV, then a zip of CSV files with byte order marks holds only their county's rows", async () => {
    const h = await setup();
    const admin = h.api.user(Number(KERMAN_ADMIN), { first_name: 'علی' });
    const document = await exportVia(h, admin, t('exports.tables.all'), t('exports.menu.format_csv'));

    expect(document.upload?.fileName).toBe('all-1405-09-09.zip');
    expect(String(document.params.caption)).toContain('شهرستان کرمان');
    expect(String(document.params.caption)).toContain(t('exports.caption.no_phones'));
    const entries = await unzip(document.upload!.bytes!);
    expect(entries.size).toBe(9);
    const ngos = readCsv(entries.get('ngos-1405-09-09.csv')!);
    expect(ngos.bom).toBe(true);
    expect(column(ngos, 'نام سازمان')).toEqual([KERMAN_NGO, `'${FORMULA_NGO}`]);
    expect(ngos.header).not.toContain('تلفن همراه مدیر');
    const feedback = readCsv(entries.get('feedback-1405-09-09.csv')!);
    expect(column(feedback, 'فرستنده')).toEqual(['زهرا']);
    expect(await h.db.prisma.auditLog.count({ where: { action: 'export.created', actorId: KERMAN_ADMIN } })).toBe(1);
  });

  it('when a member or a stranger sends /export or presses a forged button, then they are refused and nothing is exported', async () => {
    const h = await setup();
    for (const id of [KERMAN_MANAGER, STRANGER]) {
      const user = h.api.user(Number(id));
      user.sendCommand('export');
      expect(String((await user.waitForReply()).text)).toBe(NOT_ADMIN);
      const pressed = user.pressButton('exp_f:ngos-xlsx');
      expect((await answerTo(h, pressed)).params.text).toBe(NOT_ADMIN);
    }
    // An admin's press with data that names no table is stale and changes nothing.
    const admin = h.api.user(Number(SUPER));
    const forged = admin.pressButton('exp_f:secrets-xlsx');
    expect((await answerTo(h, forged)).params.text).toBe(STALE_BUTTON);
    await h.waitForIdle();
    expect(h.api.calls().filter((c) => c.method === 'sendDocument')).toHaveLength(0);
    expect(await h.db.prisma.auditLog.count({ where: { action: 'export.created' } })).toBe(0);
  });
});
