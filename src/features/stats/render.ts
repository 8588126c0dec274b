/**
 * SVG to PNG with resvg (a prebuilt N-API module from npm) and the Vazirmatn font from its npm package,
 * loaded by path: no system font is asked for, so the chart looks the same on every machine, and a
 * machine without Persian fonts still draws joined Persian letters. resvg is loaded on the first chart: a
 * bot that never draws one does not keep its native library in memory (issue 12's memory figures).
 */
import { createRequire } from 'node:module';
import { CHART_FONT_FAMILY } from './chart.js';

const require = createRequire(import.meta.url);
const FONT_FILES = ['Vazirmatn-Regular.ttf', 'Vazirmatn-Bold.ttf'].map((file) => require.resolve(`vazirmatn/fonts/ttf/${file}`));

/** The PNG of an SVG, drawn off the event loop (resvg's worker thread), at the SVG's own size. */
export async function renderPng(svg: string): Promise<Buffer> {
  const { renderAsync } = await import('@resvg/resvg-js');
  const image = await renderAsync(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'original' },
    logLevel: 'off',
  });
  return image.asPng();
}
