/** How /audit words the actions of the newer office features: which items, never their values. */
import { describe, expect, it } from 'vitest';
import { actionSentence, actedOn } from '../../src/features/audit/notices.js';
import type { AuditEntry } from '../../src/features/audit/service.js';
import { groupOf } from '../../src/features/audit/rules.js';
import { createTranslator } from '../../src/platform/i18n/index.js';
import { readerFor } from '../../src/platform/i18n/format.js';

const fa = readerFor(createTranslator(), 'fa');
const entry = (action: string, entityType: string, entityId: string, details: Record<string, unknown>): AuditEntry => ({
  id: 1n,
  at: new Date('2026-11-30T08:00:00Z'),
  actor: { id: 1001n, name: 'پروین' },
  action,
  entityType,
  entityId,
  details,
  ngo: entityType === 'ngo' ? { id: 12, name: 'انجمن یاوران بم' } : null,
  title: null,
  people: {},
});

describe('audit sentences of the office view', () => {
  it('when staff corrected an NGO, then the line names the items corrected but not the old or new values', () => {
    const e = entry('ngo.edited_by_staff', 'ngo', '12', { changes: [{ item: 'name', from: 'یاوران', to: 'انجمن یاوران بم' }, { item: 'manager_phone', from: '+989121111111', to: '+989122222222' }] });
    const line = actionSentence(fa, e) + actedOn(fa, e);
    expect(line).toBe('مشخصات سازمان را اصلاح کرد (نام، تلفن همراه مدیر) — سازمان «انجمن یاوران بم» (شماره ۱۲)');
    expect(line).not.toContain('0912');
    expect(groupOf('ngo.edited_by_staff')).toBe('n');
  });

  it('when staff exported a table, then the line names the table, the format and the rows, and says when phone numbers were in it', () => {
    const e = entry('export.created', 'export', 'members', { format: 'xlsx', rows: { ngos: 3, members: 40 }, counties: null, phones: true });
    // The Latin format name is isolated (FSI…PDI), as every value in a Persian sentence is.
    expect(actionSentence(fa, e) + actedOn(fa, e)).toBe('خروجی «اعضا» را با قالب \u2068XLSX\u2069 گرفت (۴۳ ردیف، با شماره‌های تلفن)');
    expect(groupOf('export.created')).toBe('x');
  });
});
