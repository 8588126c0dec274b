/**
 * The chart of /stats as SVG: approved NGOs per county as bars split by activity level, and the activity
 * mix beside the national survey's. 1080 px wide, so that a phone shows it at full width with labels of
 * about 30 px. A small builder of our own rather than a chart library: the layout needs no text measuring
 * (every label is anchored at an edge), and it lays the chart out from the reader's side, right to left
 * for Persian. Each text is wrapped in RLE…PDF: resvg shapes Persian (joined letters) but starts every
 * text left to right, which would put a number or a parenthesis on the wrong side of a Persian label.
 */
import type { Reader } from '../../platform/i18n/format.js';
import {
  ACTIVE_MIN_WEEKS,
  ACTIVITY_LEVELS,
  ACTIVITY_WINDOW_DAYS,
  mixPercentages,
  mixTotal,
  NATIONAL_MIX,
  type ActivityLevel,
  type ActivityMix,
  type NgoFigures,
} from './rules.js';

export const CHART_WIDTH = 1080;
/** The most counties drawn (a province has about 25); the text lists them all. */
export const CHART_MAX_COUNTIES = 32;
export const CHART_FONT_FAMILY = 'Vazirmatn';

const PAD = 48;
const LABEL_WIDTH = 250;
const COUNT_ROOM = 110;
const ROW = 54;
const BAR = 34;
const COLORS: Record<ActivityLevel, string> = { active: '#2e7d32', semiActive: '#f9a825', inactive: '#b0bec5' };
const INK = '#212121';
const MUTED = '#616161';
const RLE = '\u202B';
const PDF = '\u202C';

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface TextStyle {
  size: number;
  bold?: boolean;
  color?: string;
  /** Where the text is anchored, from the reader's side: 'start' is the right edge in Persian. */
  anchor?: 'start' | 'end' | 'middle';
}

/** SVG elements placed in reading coordinates: x counts from the reader's start edge (the right in Persian). */
class Canvas {
  private readonly parts: string[] = [];
  constructor(
    readonly width: number,
    private readonly rtl: boolean,
  ) {}

  rect(x: number, y: number, width: number, height: number, fill: string): void {
    if (width <= 0) return;
    const left = this.rtl ? this.width - x - width : x;
    this.parts.push(`<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${height}" rx="3" fill="${fill}"/>`);
  }

  text(x: number, y: number, content: string, style: TextStyle): void {
    const anchor = style.anchor ?? 'start';
    // resvg anchors by the physical side (end = right edge), whatever the text's direction.
    const physical = anchor === 'middle' ? 'middle' : (anchor === 'start') === this.rtl ? 'end' : 'start';
    const left = this.rtl ? this.width - x : x;
    const shown = this.rtl ? `${RLE}${content}${PDF}` : content;
    this.parts.push(
      `<text x="${left.toFixed(1)}" y="${y}" font-size="${style.size}"${style.bold ? ' font-weight="bold"' : ''} fill="${style.color ?? INK}" text-anchor="${physical}"${this.rtl ? ' direction="rtl"' : ''}>${xml(shown)}</text>`,
    );
  }

  svg(height: number): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${height}" viewBox="0 0 ${this.width} ${height}" font-family="${CHART_FONT_FAMILY}">`,
      `<rect width="${this.width}" height="${height}" fill="#ffffff"/>`,
      ...this.parts,
      '</svg>',
    ].join('\n');
  }
}

/** A bar split into the three levels, from the start edge; the share of each is written in it when it fits. */
function mixBar(c: Canvas, w: Reader, x: number, y: number, width: number, height: number, shares: ActivityMix, withLabels: boolean): void {
  let at = x;
  for (const level of ACTIVITY_LEVELS) {
    const part = (width * shares[level]) / 100;
    c.rect(at, y, part, height, COLORS[level]);
    if (withLabels && part >= 70) {
      c.text(at + part / 2, y + height / 2 + 10, w.t('stats.chart.percent', { value: w.fmt.digits(shares[level]) }), { size: 26, bold: true, color: level === 'inactive' ? INK : '#ffffff', anchor: 'middle' });
    }
    at += part;
  }
}

/**
 * The chart for one reader. `labels: false` draws the same chart without any text (the tests compare the
 * two to prove the labels are drawn).
 */
export function statsChartSvg(w: Reader, figures: NgoFigures, options: { labels?: boolean } = {}): string {
  const labels = options.labels ?? true;
  const c = new Canvas(CHART_WIDTH, w.fmt.lang === 'fa');
  const text = (x: number, y: number, content: string, style: TextStyle) => {
    if (labels) c.text(x, y, content, style);
  };
  const inner = CHART_WIDTH - 2 * PAD;
  let y = PAD + 40;

  const title = figures.scope.kind === 'province' ? w.t('stats.chart.title_province') : w.t('stats.chart.title_county', { county: figures.scope.name });
  text(PAD, y, title, { size: 44, bold: true });
  y += 52;
  text(PAD, y, w.t('stats.chart.subtitle', { days: w.fmt.digits(ACTIVITY_WINDOW_DAYS), date: w.fmt.date(figures.at) }), { size: 28, color: MUTED });
  y += 56;

  // The legend: a square of each colour and its name.
  let legendX = PAD;
  for (const level of ACTIVITY_LEVELS) {
    c.rect(legendX, y - 24, 28, 28, COLORS[level]);
    text(legendX + 40, y, w.t(`stats.level.${level}`), { size: 28 });
    legendX += 250;
  }
  y += 64;

  text(PAD, y, w.t('stats.chart.by_county'), { size: 34, bold: true });
  y += 30;
  const counties = figures.byCounty.slice(0, CHART_MAX_COUNTIES);
  const largest = Math.max(1, ...counties.map(mixTotal));
  const barRoom = inner - LABEL_WIDTH - COUNT_ROOM;
  for (const county of counties) {
    const total = mixTotal(county);
    text(PAD, y + BAR - 6, county.name, { size: 30 });
    let at = PAD + LABEL_WIDTH;
    for (const level of ACTIVITY_LEVELS) {
      const part = (barRoom * county[level]) / largest;
      c.rect(at, y + 4, part, BAR, COLORS[level]);
      at += part;
    }
    text(at + 12, y + BAR - 6, w.fmt.number(total), { size: 28, bold: true });
    y += ROW;
  }
  if (counties.length === 0) {
    y += 40;
    text(PAD, y, w.t('stats.chart.no_ngos'), { size: 30, color: MUTED });
    y += 20;
  }
  y += 50;

  text(PAD, y, w.t('stats.chart.mix_title'), { size: 34, bold: true });
  y += 24;
  const own = mixPercentages(figures.activity);
  if (mixTotal(figures.activity) > 0) mixBar(c, w, PAD, y, inner, 60, own, labels);
  else c.rect(PAD, y, inner, 60, '#eeeeee');
  y += 100;
  for (const level of ACTIVITY_LEVELS) {
    c.rect(PAD, y - 24, 28, 28, COLORS[level]);
    text(PAD + 40, y, w.t('stats.chart.mix_line', { level: w.t(`stats.level.${level}`), percent: w.fmt.digits(own[level]), count: w.fmt.number(figures.activity[level]) }), { size: 30 });
    y += 46;
  }
  y += 30;
  text(PAD, y, w.t('stats.chart.national', { ngos: w.fmt.number(19_000) }), { size: 28, color: MUTED });
  y += 20;
  mixBar(c, w, PAD, y, inner, 40, { ...NATIONAL_MIX }, labels);
  y += 90;
  text(PAD, y, w.t('stats.chart.rule', { weeks: w.fmt.digits(ACTIVE_MIN_WEEKS), max: w.fmt.digits(ACTIVE_MIN_WEEKS - 1), days: w.fmt.digits(ACTIVITY_WINDOW_DAYS) }), { size: 24, color: MUTED });
  y += PAD;
  return c.svg(Math.round(y));
}
