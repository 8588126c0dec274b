/**
 * The order test files start in: longest first, whatever their project. Vitest's own order runs the
 * projects one after another (by name), so a long integration file (the outbox's real-time pacing
 * tests) started only once every e2e file had, and ran alone at the end while the other workers
 * idled. Durations come from vitest's cache of the last run; a file it has not seen yet starts first
 * (it may be long), and without any cache (a fresh CI machine) larger files start first.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const estimate = (spec: TestSpecification) => {
      const key = `${spec.project.name}:${relative(config.root, spec.moduleId)}`;
      const last = cache.getFileTestResults(key);
      return { failed: last?.failed ?? false, duration: last?.duration, size: cache.getFileStats(key)?.size ?? 0 };
    };
    const known = new Map(files.map((spec) => [spec, estimate(spec)]));
    return [...files].sort((a, b) => {
      const x = known.get(a)!;
      const y = known.get(b)!;
      if (x.duration === undefined || y.duration === undefined) {
        if (x.duration !== y.duration) return x.duration === undefined ? -1 : 1;
        return y.size - x.size;
      }
      if (x.failed !== y.failed) return x.failed ? -1 : 1;
      return y.duration - x.duration;
    });
  }
}
