/**
 * The layout rules of ARCHITECTURE.md, checked on the source: dependencies point one way, features meet
 * only through each other's index.ts, and no source file grows into a god file again.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'generated') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of a file, resolved to a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((spec) => path.relative(SRC, path.resolve(path.dirname(file), spec)));
}

const files = sourceFiles(SRC).map((full) => ({ full, rel: path.relative(SRC, full) }));
const featureOf = (rel: string) => (rel.startsWith('features/') ? rel.split('/')[1] : null);

describe('the layout', () => {
  it('when a platform file imports, then it never imports a feature', () => {
    const offenders = files
      .filter((f) => f.rel.startsWith('platform/'))
      .flatMap((f) => importsOf(f.full).filter((i) => i.startsWith('features/')).map((i) => `${f.rel} -> ${i}`));
    expect(offenders).toEqual([]);
  });

  it("when a feature uses another feature, then it goes through that feature's index.ts", () => {
    const offenders = files
      .filter((f) => featureOf(f.rel) && f.rel.split('/').length > 2)
      .flatMap((f) =>
        importsOf(f.full)
          .filter((i) => {
            const other = featureOf(i);
            if (!other || other === featureOf(f.rel)) return false;
            // features/<other>/index.js, or the registry itself for the Services type
            return i !== 'features/index.js' && !/^features\/[a-z-]+\/index\.js$/.test(i);
          })
          .map((i) => `${f.rel} -> ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('when a source file is read, then it stays under about 400 lines', () => {
    const long = files
      .map((f) => ({ rel: f.rel, lines: readFileSync(f.full, 'utf8').split('\n').length }))
      .filter((f) => f.lines > 430)
      .map((f) => `${f.rel}: ${f.lines}`);
    expect(long).toEqual([]);
  });

  it("when a feature registers handlers, then it uses the flat table, not telegraf's Composer chain", () => {
    // A Composer puts every handler in the path of every update (see platform/bot/handlers.ts).
    const offenders = files
      .filter((f) => featureOf(f.rel))
      .filter((f) => /new Composer\b|Composer\.compose\(/.test(readFileSync(f.full, 'utf8')))
      .map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it('when a feature folder exists, then the registry lists its module', () => {
    const registry = readFileSync(path.join(SRC, 'features/index.ts'), 'utf8');
    const folders = readdirSync(path.join(SRC, 'features')).filter((n) => statSync(path.join(SRC, 'features', n)).isDirectory());
    for (const folder of folders) expect(registry, folder).toContain(`./${folder}/index.js`);
  });
});
