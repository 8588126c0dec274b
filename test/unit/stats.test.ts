/**
 * The statistics' rules (the activity level, shares that add up to 100, the median) and the chart: an SVG
 * whose text nodes carry the Persian labels in a right-to-left embedding, rasterised by resvg with the
 * Vazirmatn font into a PNG of the right size with the labels drawn (the same chart without its labels
 * differs where the labels are).
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CHART_WIDTH, statsChartSvg } from '../../src/features/stats/chart.js';
import { renderPng } from '../../src/features/stats/render.js';
import { activityLevel, deliveryRate, median, mixPercentages, type NgoFigures } from '../../src/features/stats/rules.js';
import { readerFor } from '../../src/platform/i18n/format.js';
import { createTranslator } from '../../src/platform/i18n/index.js';

const fa = readerFor(createTranslator(), 'fa');

const FIGURES: NgoFigures = {
  scope: { kind: 'province' },
  at: new Date('2026-12-31T08:30:00Z'),
  byStatus: { PENDING: 3, APPROVED: 1910, REJECTED: 4, SUSPENDED: 1 },
  byCounty: [
    { id: 1, name: 'کرمان', active: 800, semiActive: 150, inactive: 180 },
    { id: 2, name: 'قلعه‌گنج', active: 400, semiActive: 90, inactive: 100 },
    { id: 3, name: 'رودبار جنوب', active: 120, semiActive: 30, inactive: 40 },
  ],
  byField: [],
  activity: { active: 1320, semiActive: 270, inactive: 320 },
};

/** Width, height and RGBA pixels of an 8-bit RGBA, non-interlaced PNG (what resvg writes). */
function decodePng(png: Buffer): { width: number; height: number; pixels: Uint8Array } {
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9], body[12]]).toEqual([8, 6, 0]);
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

describe('statistics rules', () => {
  it('when weeks with activity are counted, then 3 or more is active, 1 or 2 semi-active, none inactive', () => {
    expect([0, 1, 2, 3, 13].map(activityLevel)).toEqual(['inactive', 'semiActive', 'semiActive', 'active', 'active']);
  });

  it('when a mix is shown in whole percentages, then they add up to 100 (and to 0 for no NGO)', () => {
    expect(mixPercentages({ active: 1, semiActive: 1, inactive: 1 })).toEqual({ active: 34, semiActive: 33, inactive: 33 });
    expect(mixPercentages({ active: 67, semiActive: 16, inactive: 17 })).toEqual({ active: 67, semiActive: 16, inactive: 17 });
    expect(mixPercentages({ active: 0, semiActive: 0, inactive: 0 })).toEqual({ active: 0, semiActive: 0, inactive: 0 });
  });

  it('when the median and the delivery rate are taken, then even counts average the middle pair and nothing settled has no rate', () => {
    expect(median([3, 0, 1])).toBe(1);
    expect(median([4, 1, 2, 0])).toBe(1.5);
    expect(median([])).toBeNull();
    expect(deliveryRate({ sent: 4, failed: 1, unreachable: 2 })).toBe(57);
    expect(deliveryRate({ sent: 0, failed: 0, unreachable: 0 })).toBeNull();
  });
});

describe('the statistics chart', () => {
  it('when drawn for a Persian reader, then its text nodes hold the Persian labels and digits in a right-to-left embedding', () => {
    const svg = statsChartSvg(fa, FIGURES);
    const texts = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    expect(texts).toContain('\u202Bقلعه‌گنج\u202C');
    expect(texts).toContain('\u202Bرودبار جنوب\u202C');
    expect(texts).toContain('\u202B۱٬۱۳۰\u202C');
    expect(texts.some((t) => t.includes('سازمان‌های تأییدشده به تفکیک شهرستان'))).toBe(true);
    expect(texts.some((t) => t.includes('فعال: ۶۹٪ (۱٬۳۲۰ سازمان)'))).toBe(true);
    expect(svg).toContain(`width="${CHART_WIDTH}"`);
  });

  it('when rasterised, then it is a PNG 1080 px wide, full of colour, and the labels are drawn where the unlabelled chart is blank', async () => {
    const labelled = await renderPng(statsChartSvg(fa, FIGURES));
    const bare = await renderPng(statsChartSvg(fa, FIGURES, { labels: false }));
    expect(labelled.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const image = decodePng(labelled);
    const blank = decodePng(bare);
    expect(image.width).toBe(1080);
    expect([image.width, image.height]).toEqual([blank.width, blank.height]);
    const height = Number(/height="(\d+)"/.exec(statsChartSvg(fa, FIGURES))![1]);
    expect(image.height).toBe(height);
    const colours = new Set<number>();
    for (let i = 0; i < image.pixels.length; i += 4) colours.add((image.pixels[i]! << 16) | (image.pixels[i + 1]! << 8) | image.pixels[i + 2]!);
    expect(colours.size).toBeGreaterThan(100);
    // The county labels sit at the right edge (Persian reads from there): the bare chart is white there.
    const differs = (x0: number, x1: number) => {
      let n = 0;
      for (let y = 0; y < image.height; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * image.width + x) * 4;
          if (image.pixels[i] !== blank.pixels[i] || image.pixels[i + 1] !== blank.pixels[i + 1]) n++;
        }
      }
      return n;
    };
    expect(differs(1080 - 48 - 240, 1080 - 48)).toBeGreaterThan(2000);
    expect(differs(0, 1080)).toBeGreaterThan(differs(1080 - 48 - 240, 1080 - 48));
  });
});
