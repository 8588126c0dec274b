/**
 * /admins and staff invites end to end through the fake Bot API: only a super admin sees the staff or
 * changes them; an invite link makes its opener staff and tells the inviter; a role change and a
 * removal go through buttons with a confirmation; a forged or stale press changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { e2eStorageMode } from '../support/database.js';
import { answerTo, editIn, inlineButtons, messageIdOf, NOT_ADMIN } from '../support/conversation.js';
import { startOffice } from '../support/fixtures.js';
import { countyId } from '../support/ngo-fixtures.js';

const SUPER = 1001;
const PROVINCE = 1002;
const COUNTY = 1003;
const NEWCOMER = 3003;
const MEMBER = 2002;
const ONLY_SUPER = 'این کار فقط از راهبر سامانه برمی‌آید.';

const office = () =>
  startOffice({
    adminIds: [SUPER],
    staff: [
      { id: PROVINCE, role: 'PROVINCE_ADMIN', firstName: 'پروین' },
      { id: COUNTY, role: 'COUNTY_ADMIN', countyName: 'بم', firstName: 'کاوه' },
    ],
    ngos: [{ managerId: MEMBER, name: 'انجمن نمونه', status: 'APPROVED' }],
  });

describe(`staff management and invites (${e2eStorageMode()} storage)`, () => {
  it('when a super admin invites a county admin, then the link makes the newcomer staff of that county, they and the inviter are told, and it is audited', async () => {
    const { h } = await office();
    const boss = h.api.user(SUPER, { first_name: 'مریم' });
    boss.sendCommand('admins');
    const list = await boss.waitForReply();
    expect(String(list.params.text)).toContain('کارشناس شهرستان بم');
    expect(inlineButtons(list).map((b) => b.callback_data)).toEqual(expect.arrayContaining([`stf_card:${COUNTY}`, 'stf_inv:new', 'stf_invl:open']));

    const mark = h.api.mark();
    boss.pressButton('stf_inv:new', messageIdOf(list));
    const picker = await editIn(h, SUPER, mark);
    const kerman = await countyId(h.db, 'کرمان');
    expect(inlineButtons(picker).map((b) => b.callback_data)).toContain(`stf_invc:${kerman}`);
    boss.pressButton(`stf_invc:${kerman}`);
    const created = String((await boss.waitForReply((c) => String(c.text).includes('لینک دعوت کارشناس'))).params.text);
    const link = /https:\/\/t\.me\/ngo_test_bot\?start=(staff-[A-Za-z0-9_-]{32})/.exec(created);
    expect(link, created).not.toBeNull();
    expect(created).toContain('کارشناس شهرستان کرمان');

    const newcomer = h.api.user(NEWCOMER, { first_name: 'نگار' });
    newcomer.sendCommand('start', link![1]);
    const welcome = String((await newcomer.waitForReply()).params.text);
    expect(welcome).toContain('شما اکنون کارشناس شهرستان کرمان هستید');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(NEWCOMER) } })).toMatchObject({ role: 'COUNTY_ADMIN', countyId: kerman });
    await h.api.waitForMessage(SUPER, (c) => String(c.text) === 'نگار با لینک دعوت شما به‌عنوان کارشناس شهرستان کرمان به کارشناسان سامانه پیوست.');
    // The staff command menu is set just after the welcome: wait for it rather than race it.
    await expect.poll(() => h.api.commands({ scope: { type: 'chat', chat_id: NEWCOMER } })?.map((c) => c.command) ?? []).toContain('audit');
    expect(await h.db.prisma.auditLog.count({ where: { action: { in: ['staff.invite_created', 'staff.invite_accepted'] } } })).toBe(2);

    // The same link again, from someone else, and a forged one: a clear message, nothing changes.
    const member = h.api.user(MEMBER, { first_name: 'امید' });
    member.sendCommand('start', link![1]);
    expect(String((await member.waitForReply()).params.text)).toContain('پیش‌تر به کار رفته است');
    member.sendCommand('start', 'staff-not-a-real-token');
    expect(String((await member.waitForReply()).params.text)).toContain('این لینک دعوت معتبر نیست');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(MEMBER) } })).toBeNull();
  });

  it('when a county admin, a province admin, a member or a stranger calls /admins or presses forged staff buttons, then they are refused and nothing changes', async () => {
    const { h } = await office();
    for (const [id, expected] of [
      [COUNTY, ONLY_SUPER],
      [PROVINCE, ONLY_SUPER],
      [MEMBER, NOT_ADMIN],
      [4004, NOT_ADMIN],
    ] as const) {
      const person = h.api.user(id, { first_name: 'کسی' });
      person.sendCommand('admins');
      expect((await person.waitForReply()).params.text).toBe(expected);
      for (const data of [`stf_setp:${COUNTY}`, `stf_rmok:${COUNTY}`, 'stf_invp:new', `stf_setc:${PROVINCE}-1`, 'stf_invx:1']) {
        const pressed = person.pressButton(data);
        expect(String((await answerTo(h, pressed)).params.text)).toBe(expected);
      }
    }
    // Malformed data is stale even for the super admin.
    const boss = h.api.user(SUPER, { first_name: 'مریم' });
    const malformed = boss.pressButton('stf_setp:abc');
    expect(String((await answerTo(h, malformed)).params.text)).toBe('این دکمه دیگر معتبر نیست.');
    await h.waitForIdle();
    expect(await h.db.prisma.admin.findMany({ orderBy: { userId: 'asc' }, select: { userId: true, role: true } })).toEqual([
      { userId: BigInt(SUPER), role: 'SUPER_ADMIN' },
      { userId: BigInt(PROVINCE), role: 'PROVINCE_ADMIN' },
      { userId: BigInt(COUNTY), role: 'COUNTY_ADMIN' },
    ]);
    expect(await h.db.prisma.staffInvite.count()).toBe(0);
    expect(await h.db.prisma.auditLog.count({ where: { action: { startsWith: 'admin.' }, actorId: { not: null } } })).toBe(0);
  });

  it('when the super admin changes a county admin to province staff and then removes them after confirming, then both are audited and the person is told each time', async () => {
    const { h } = await office();
    const boss = h.api.user(SUPER, { first_name: 'مریم' });
    boss.sendCommand('admins');
    await boss.waitForReply();
    let mark = h.api.mark();
    boss.pressButton(`stf_card:${COUNTY}`);
    const card = await editIn(h, SUPER, mark);
    expect(String(card.params.text)).toContain('کاوه');
    mark = h.api.mark();
    boss.pressButtonByText('🔁 تغییر نقش');
    await editIn(h, SUPER, mark, (text) => text.includes('نقش تازه'));
    mark = h.api.mark();
    boss.pressButton(`stf_setp:${COUNTY}`);
    expect(String((await editIn(h, SUPER, mark)).params.text)).toContain('نقش کاوه به کارشناس استان تغییر کرد.');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(COUNTY) } })).toMatchObject({ role: 'PROVINCE_ADMIN', countyId: null });
    await h.api.waitForMessage(COUNTY, (c) => String(c.text).includes('به کارشناس استان تغییر کرد'));

    // A second press of the same (now stale) button changes nothing more.
    const again = boss.pressButton(`stf_setp:${COUNTY}`);
    expect(String((await answerTo(h, again)).params.text)).toBe('این کارشناس هم‌اکنون همین نقش را دارد.');

    mark = h.api.mark();
    boss.pressButton(`stf_rm:${COUNTY}`);
    expect(String((await editIn(h, SUPER, mark)).params.text)).toContain('از فهرست کارشناسان حذف شود؟');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(COUNTY) } })).not.toBeNull();
    mark = h.api.mark();
    boss.pressButtonByText('✅ بله، حذف شود');
    expect(String((await editIn(h, SUPER, mark)).params.text)).toContain('کاوه از فهرست کارشناسان حذف شد.');
    expect(await h.db.prisma.admin.findUnique({ where: { userId: BigInt(COUNTY) } })).toBeNull();
    await h.api.waitForMessage(COUNTY, (c) => String(c.text).includes('برداشته شد'));
    expect((await h.db.prisma.auditLog.findMany({ where: { action: { in: ['admin.role_changed', 'admin.removed'] } }, orderBy: { id: 'asc' } })).map((a) => a.action)).toEqual([
      'admin.role_changed',
      'admin.removed',
    ]);
    // Removed: the next staff command is refused at once.
    const former = h.api.user(COUNTY, { first_name: 'کاوه' });
    former.sendCommand('audit');
    expect((await former.waitForReply()).params.text).toBe(NOT_ADMIN);
  });
});
