/** The text of training needs: a request's summary and line, and the demand the office reads (with its drill-down). */
import { shorten } from '../../platform/bot/ui.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { Reader } from './course-notices.js';
import type { Demand, DemandGroup, NeedDetail, NeedView } from './needs-service.js';
import { isFormat, type TrainingFormat } from './rules.js';

/** What the form shows before the request is sent. */
export function needSummary({ t, fmt }: Reader, d: { topicName?: string; description?: string; participants?: number; format?: TrainingFormat }): string {
  return [
    t('courses.need.summary_title'),
    '',
    t('courses.need.summary_topic', { value: escapeHtml(d.topicName ?? '') }),
    t('courses.need.summary_description', { value: escapeHtml(d.description ?? '') }),
    t('courses.need.summary_participants', { value: fmt.digits(d.participants ?? 0) }),
    t('courses.need.summary_format', { value: isFormat(d.format) ? t(`courses.format.${d.format}`) : '—' }),
  ].join('\n');
}

export function needLine({ t, fmt }: Reader, need: NeedView): string {
  return t('courses.need.item', {
    id: fmt.digits(need.id),
    topic: escapeHtml(need.topic),
    participants: fmt.digits(need.participants),
    format: t(`courses.format.${need.format}`),
    date: fmt.when(need.createdAt),
  });
}

/** A topic's name in the demand; requests for topics not on the list are counted together as "other". */
export function topicLabel({ t }: Reader, key: { topicId: number | null; name: string }): string {
  return key.topicId === null ? t('courses.demand.other_topics') : key.name;
}

export function demandText(r: Reader, demand: Demand): string {
  const { t, fmt } = r;
  const row = (name: string, d: { ngos: number; people: number; latest: Date }) =>
    t('courses.demand.row', { name: escapeHtml(name), ngos: fmt.digits(d.ngos), people: fmt.digits(d.people), latest: fmt.when(d.latest) });
  return [
    t('courses.demand.title', { requests: fmt.digits(demand.totals.requests), ngos: fmt.digits(demand.totals.ngos), people: fmt.digits(demand.totals.people) }),
    '',
    t('courses.demand.by_topic'),
    ...demand.byTopic.map((d, i) => `${fmt.digits(i + 1)}. ${row(topicLabel(r, d.key), d)}`),
    '',
    t('courses.demand.by_county'),
    ...demand.byCounty.map((d, i) => `${fmt.digits(i + 1)}. ${row(d.key.name, d)}`),
    '',
    t('courses.demand.drill_hint'),
  ].join('\n');
}

/** The requests behind one row of the demand, newest first, with how many more there are. */
export function demandDetailText({ t, fmt }: Reader, group: DemandGroup, detail: { title: string | null; total: number; items: NeedDetail[] }): string {
  const title =
    group.kind === 'topic'
      ? t('courses.demand.detail_topic', { name: escapeHtml(group.topicId === null ? t('courses.demand.other_topics') : (detail.title ?? '—')) })
      : t('courses.demand.detail_county', { name: escapeHtml(detail.title ?? '—') });
  const items = detail.items.map((n) =>
    t('courses.demand.detail_item', {
      id: fmt.digits(n.id),
      ngo: escapeHtml(n.ngoName),
      county: escapeHtml(n.county),
      topic: escapeHtml(n.topic),
      participants: fmt.digits(n.participants),
      format: t(`courses.format.${n.format}`),
      date: fmt.when(n.createdAt),
      description: escapeHtml(shorten(n.description, 200)),
    }),
  );
  const more = detail.total > detail.items.length ? [t('courses.demand.more', { n: fmt.digits(detail.total - detail.items.length) })] : [];
  return [title, '', ...(items.length ? items : [t('courses.demand.detail_empty')]), ...more].join('\n\n');
}
