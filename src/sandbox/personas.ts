/**
 * The people one can be in the sandbox: the office's staff, NGO managers and members. Each is a Telegram
 * user of the emulator with a phone number of their own (what "share my contact" sends). The list and
 * the clock's offset are kept in the sandbox's data folder, beside its database, so a restart finds the
 * same people at the same time.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../features/index.js';
import type { PrismaClient } from '../platform/db/client.js';

export type PersonaKind = 'province' | 'county' | 'manager' | 'member';

export interface Persona {
  id: number;
  firstName: string;
  lastName: string;
  /** International form, as Telegram's contact card carries it. */
  phone: string;
  kind: PersonaKind;
  /** Who this is, shown under the name on the page. */
  about: string;
}

export const SUPER_ADMIN_ID = 1001;
export const COUNTY_ADMIN_COUNTY = 'سیرجان';

export const DEFAULT_PERSONAS: readonly Persona[] = [
  { id: SUPER_ADMIN_ID, firstName: 'مهسا', lastName: 'کریمی', phone: '989131110001', kind: 'province', about: 'کارشناس دفتر امور اجتماعی و فرهنگی استانداری (مدیر ارشد)' },
  { id: 1002, firstName: 'علی', lastName: 'رضایی', phone: '989131110002', kind: 'county', about: `معاون سیاسی اجتماعی فرمانداری ${COUNTY_ADMIN_COUNTY}` },
  { id: 2001, firstName: 'زهرا', lastName: 'احمدی', phone: '989132220001', kind: 'manager', about: 'مدیر سمن، هنوز ثبت‌نام نکرده' },
  { id: 2002, firstName: 'حسین', lastName: 'محمدی', phone: '989132220002', kind: 'manager', about: `مدیر انجمن حامیان محیط زیست ${COUNTY_ADMIN_COUNTY} (پس از داده‌های نمونه)` },
  { id: 3001, firstName: 'رضا', lastName: 'نوری', phone: '989133330001', kind: 'member', about: 'عضو سمن' },
  { id: 3002, firstName: 'سارا', lastName: 'حیدری', phone: '989133330002', kind: 'member', about: `عضو انجمن حامیان محیط زیست ${COUNTY_ADMIN_COUNTY} (پس از داده‌های نمونه)` },
];

/** Personas added on the page get ids from here on. */
const FIRST_ADDED_ID = 4001;
const NAME_MAX = 64;

export interface SandboxState {
  clockOffsetMs: number;
  personas: Persona[];
}

export class PersonaError extends Error {}

export class SandboxStateFile {
  private constructor(
    private readonly file: string,
    readonly state: SandboxState,
  ) {}

  static async open(dataDir: string): Promise<SandboxStateFile> {
    const file = path.join(dataDir, 'sandbox.json');
    const saved = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as Partial<SandboxState>,
      () => ({}) as Partial<SandboxState>,
    );
    const personas = Array.isArray(saved.personas) && saved.personas.length > 0 ? saved.personas : DEFAULT_PERSONAS.map((p) => ({ ...p }));
    return new SandboxStateFile(file, { clockOffsetMs: Number(saved.clockOffsetMs) || 0, personas });
  }

  async save(): Promise<void> {
    await writeFile(this.file, JSON.stringify(this.state, null, 2));
  }

  persona(id: number): Persona | undefined {
    return this.state.personas.find((p) => p.id === id);
  }

  /** A new person (not yet in any NGO): a name as typed, and a phone number of their own. */
  add(input: { firstName?: unknown; lastName?: unknown }): Persona {
    const firstName = typeof input.firstName === 'string' ? input.firstName.trim() : '';
    const lastName = typeof input.lastName === 'string' ? input.lastName.trim() : '';
    if (firstName === '' || firstName.length > NAME_MAX || lastName.length > NAME_MAX) throw new PersonaError('name');
    const id = Math.max(FIRST_ADDED_ID - 1, ...this.state.personas.map((p) => p.id)) + 1;
    const persona: Persona = { id, firstName, lastName, phone: `98913444${String(id).padStart(4, '0')}`, kind: 'member', about: 'شخص تازه' };
    this.state.personas.push(persona);
    return persona;
  }
}

/**
 * Every persona has a user record (as after their first message), the province persona is a super
 * admin (ADMIN_IDS) and the county persona is made county staff by them, through the office's own use
 * case, which audits it and tells them, as it would in the office.
 */
export async function ensurePersonaRoles(prisma: PrismaClient, services: Services, personas: readonly Persona[]): Promise<void> {
  for (const p of personas) {
    await prisma.user.upsert({
      where: { id: BigInt(p.id) },
      create: { id: BigInt(p.id), firstName: p.firstName, lastName: p.lastName || null, language: 'fa' },
      update: { firstName: p.firstName, lastName: p.lastName || null },
    });
  }
  for (const p of personas.filter((q) => q.kind === 'county')) {
    if (await prisma.admin.findUnique({ where: { userId: BigInt(p.id) } })) continue;
    await services.admins.addAdmin(BigInt(SUPER_ADMIN_ID), { targetId: BigInt(p.id), role: 'COUNTY_ADMIN', countyName: COUNTY_ADMIN_COUNTY });
  }
}
