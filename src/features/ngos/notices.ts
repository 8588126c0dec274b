/**
 * How an NGO's record reads in a message: one renderer for the registration summary, the reviewers'
 * notice, /pending and /profile, so the same facts always look the same. Output is Telegram HTML.
 */
import { formatJalaliDate } from '../../platform/text/jalali.js';
import { formatIranMobileForDisplay } from '../../platform/text/phone.js';
import { toPersianDigits } from '../../platform/text/persian-text.js';
import { escapeHtml, type Language } from '../../platform/i18n/index.js';

export interface NgoFacts {
  id?: number;
  name: string;
  registrationNumber: string;
  authority: string;
  authorityOther?: string | null;
  fields: string[];
  county: string;
  foundedYear?: number | null;
  memberCount?: number | null;
  managerName: string;
  managerPhone: string;
  description?: string | null;
  status?: string;
  statusReason?: string | null;
  submittedAt?: Date;
  approvedAt?: Date | null;
}

type T = (key: string, options?: Record<string, unknown>) => string;

export function digitsFor(lang: Language, value: string | number): string {
  return lang === 'fa' ? toPersianDigits(value) : String(value);
}

export function authorityLabel(t: T, authority: string, other?: string | null): string {
  return authority === 'OTHER' && other ? escapeHtml(other) : t(`ngo.authorities.${authority}`);
}

export function renderNgoSummary(t: T, lang: Language, ngo: NgoFacts, options: { withPhone?: boolean } = {}): string {
  const dash = '—';
  const lines = [
    ngo.id !== undefined ? t('ngo.summary.tracking', { id: digitsFor(lang, ngo.id) }) : null,
    t('ngo.summary.name', { value: escapeHtml(ngo.name) }),
    t('ngo.summary.registration_number', { value: digitsFor(lang, ngo.registrationNumber) }),
    t('ngo.summary.authority', { value: authorityLabel(t, ngo.authority, ngo.authorityOther) }),
    t('ngo.summary.fields', { value: ngo.fields.map(escapeHtml).join(t('ngo.summary.list_separator')) }),
    t('ngo.summary.county', { value: escapeHtml(ngo.county) }),
    t('ngo.summary.founded_year', { value: ngo.foundedYear ? digitsFor(lang, ngo.foundedYear) : dash }),
    t('ngo.summary.member_count', { value: ngo.memberCount ? digitsFor(lang, ngo.memberCount) : dash }),
    t('ngo.summary.manager_name', { value: escapeHtml(ngo.managerName) }),
    options.withPhone === false
      ? null
      : t('ngo.summary.manager_phone', {
          value: lang === 'fa' ? formatIranMobileForDisplay(ngo.managerPhone) : ngo.managerPhone,
        }),
    t('ngo.summary.description', { value: ngo.description ? escapeHtml(ngo.description) : dash }),
    ngo.status ? t('ngo.summary.status', { value: t(`ngo.status.${ngo.status}`) }) : null,
    ngo.statusReason && (ngo.status === 'REJECTED' || ngo.status === 'SUSPENDED')
      ? t('ngo.summary.status_reason', { value: escapeHtml(ngo.statusReason) })
      : null,
    ngo.submittedAt ? t('ngo.summary.submitted_at', { value: jalali(lang, ngo.submittedAt) }) : null,
    ngo.approvedAt ? t('ngo.summary.approved_at', { value: jalali(lang, ngo.approvedAt) }) : null,
  ];
  return lines.filter((l): l is string => l !== null).join('\n');
}

export function jalali(lang: Language, date: Date): string {
  const fa = formatJalaliDate(date);
  return lang === 'fa' ? fa : fa.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}
