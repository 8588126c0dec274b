/** The text the staff feature sends: to a person made staff, moved or removed, to an inviter, and to a sender whose message could not be delivered. */
import { escapeHtml, type Language, type Translator } from '../../platform/i18n/index.js';
import type { OutboxPayload } from '../../platform/delivery/outbox.js';
import type { FailureCause } from '../../platform/delivery/telegram-errors.js';

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

/** To a staff member whose role a super admin changed. Plain text, as youWereAdded. */
export function roleChangedNotice(translator: Translator, lang: Language, role: StaffRole, county: string | null): OutboxPayload {
  const roleText = translator.t(lang, `admin.roles.${role}`, { county: county ?? '' });
  return { kind: 'TEXT', text: translator.t(lang, 'admin.your_role_changed', { role: roleText }) };
}

export function youWereRemoved(translator: Translator, lang: Language): OutboxPayload {
  return { kind: 'TEXT', text: translator.t(lang, 'admin.you_were_removed') };
}

/** To the super admin who made an invite: who opened it, and as what they joined. */
export function inviteAcceptedNotice(translator: Translator, lang: Language, name: string, role: StaffRole, county: string | null): OutboxPayload {
  const roleText = translator.t(lang, `admin.roles.${role}`, { county: county ?? '' });
  return { kind: 'TEXT', text: translator.t(lang, 'admin.invite.accepted_notice', { name, role: roleText }) };
}

/**
 * To the admin whose message could not be delivered: to whom (their name and NGO, never a chat id) and
 * why, in the admin's words. Plain text: names are shown as typed.
 */
export function deliveryFailed(translator: Translator, lang: Language, recipient: { name: string; ngo: string | null } | null, cause: FailureCause): OutboxPayload {
  const t = translator.fixed(lang);
  const who = recipient
    ? t(recipient.ngo ? 'common.delivery_recipient_ngo' : 'common.delivery_recipient', { name: recipient.name, ngo: recipient.ngo })
    : t('common.delivery_recipient_unknown');
  return { kind: 'TEXT', text: t('common.delivery_failed', { recipient: who, cause: t(`common.delivery_causes.${cause}`) }) };
}
