/** The text of the /recurring screens, in the reader's language. */
import type { Formatter } from '../../../platform/i18n/format.js';
import type { Recurrence } from './rules.js';

type T = (key: string, options?: Record<string, unknown>) => string;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 'every year, 20 Mordad at 09:00' / 'every month, day 1 at 09:00'. */
export function ruleText(t: T, fmt: Formatter, r: Recurrence): string {
  const time = fmt.digits(`${pad2(r.hour)}:${pad2(r.minute)}`);
  if (r.rule === 'YEARLY') return t('recurring.rule_yearly', { day: fmt.digits(r.day), month: t(`recurring.months.${r.month ?? 1}`), time });
  return t('recurring.rule_monthly', { day: fmt.digits(r.day), time });
}

export function listText(t: T, fmt: Formatter, rows: readonly (Recurrence & { id: number; contentKind: string })[]): string {
  const lines = rows.map((r) =>
    t('recurring.item', { id: fmt.digits(r.id), rule: ruleText(t, fmt, r), kind: t(`recurring.kind.${r.contentKind}`, { defaultValue: r.contentKind }) }),
  );
  return [t('recurring.list_title'), '', ...(rows.length ? lines : [t('recurring.list_empty')])].join('\n');
}
