/**
 * SVG to PNG with resvg (a prebuilt N-API module from npm) and the Vazirmatn font from its npm package,
 * loaded by path: no system font is asked for, so the chart looks the same on every machine, and a
 * machine without Persian fonts still draws joined Persian letters.
 */
import { createRequire } from 'node:module';
import { renderAsync } from '@resvg/resvg-js';
import { CHART_FONT_FAMILY } from './chart.js';

const require = createRequire(import.meta.url);
const FONT_FILES = ['Vazirmatn-Regular.ttf', 'Vazirmatn-Bold.ttf'].map((file) => require.resolve(`vazirmatn/fonts/ttf/${file}`));

/** The PNG of an SVG, drawn off the event loop (resvg's worker thread), at the SVG's own size. */
export async function renderPng(svg: string): Promise<Buffer> {
  const image = await renderAsync(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'original' },
    logLevel: 'off',
  });
  return image.asPng();
}
