/** The text the staff feature sends: to a person made staff, and to a sender whose message could not be delivered. */
import { escapeHtml, type Language, type Translator } from '../../platform/i18n/index.js';
import type { OutboxPayload } from '../../platform/delivery/outbox.js';

export type StaffRole = 'SUPER_ADMIN' | 'PROVINCE_ADMIN' | 'COUNTY_ADMIN';

/** 'کارشناس شهرستان کرمان' and the like; the county name is escaped for HTML readers. */
export function roleLabel(t: (key: string, o?: Record<string, unknown>) => string, role: StaffRole, county: string | null): string {
  return t(`admin.roles.${role}`, { county: escapeHtml(county ?? '') });
}

export function youWereAdded(translator: Translator, lang: Language, role: StaffRole, county: string | null): OutboxPayload {
  // Sent as plain text: the county is shown as typed, not escaped.
  const roleText = translator.t(lang, `admin.roles.${role}`, { county: county ?? '' });
  return { kind: 'TEXT', text: translator.t(lang, 'admin.you_were_added', { role: roleText }) };
}

export function deliveryFailed(translator: Translator, lang: Language, chatId: bigint, reason: string): OutboxPayload {
  return { kind: 'TEXT', text: translator.t(lang, 'common.delivery_failed', { chatId: String(chatId), reason }) };
}
