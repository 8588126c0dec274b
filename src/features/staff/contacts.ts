/**
 * "Get in touch with the office" says with whom and how: the contact details an operator configured
 * (OFFICE_CONTACT, COUNTY_CONTACTS) are added wherever a person is sent to the office or their county
 * governorate. Nothing is added when none is configured.
 */
import { contactDetails } from '../../config.js';
import { escapeHtml } from '../../platform/i18n/index.js';

type T = (key: string, options?: Record<string, unknown>) => string;

/** The county governorate's line (when that county has one) and the office's, for an HTML message. */
export function contactLines(t: T, county?: string | null): string[] {
  const contacts = contactDetails();
  const lines: string[] = [];
  const countyContact = county ? contacts.county(county) : undefined;
  if (county && countyContact) lines.push(t('admin.contact_county', { county: escapeHtml(county), contact: escapeHtml(countyContact) }));
  if (contacts.office) lines.push(t('admin.contact_office', { contact: escapeHtml(contacts.office) }));
  return lines;
}

/** The text, then a blank line and the contact lines; the text alone when none is configured. */
export function withContacts(text: string, t: T, county?: string | null): string {
  const lines = contactLines(t, county);
  return lines.length > 0 ? `${text}\n\n${lines.join('\n')}` : text;
}

/**
 * For a refusal (AppError) that sends the person to the office: i18next's context picks the key's
 * `_contact` variant, which shows the office's contact (escaped where the refusal is rendered).
 */
export function officeContactParams(): Record<string, string> {
  const office = contactDetails().office;
  return office ? { context: 'contact', contact: office } : {};
}
