/**
 * Why this exists: one import for everything Persian-specific (text folding, digits, Jalali
 * dates on the Tehran clock, Iranian mobile numbers) so callers need not know how it is split.
 */
export * from './persian-text.js';
export * from './jalali.js';
export * from './phone.js';
