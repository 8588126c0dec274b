/**
 * The office's exports: a staff member asks for a table in a format; the records within their scope
 * are read page by page and written into a temporary file as they come, and the export is audited
 * (who, what, how many rows; never the data). The caller sends the file and then disposes of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrismaClient } from '../../platform/db/client.js';
import { recordAudit } from '../../platform/db/audit.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { AppError } from '../../platform/errors.js';
import type { Clock } from '../../platform/text/clock.js';
import { scopedCounties, staffMember } from '../staff/index.js';
import { writeExportFile, type SheetOut } from './files.js';
import type { ExportLayout } from './layout.js';
import { mapPages } from './paging.js';
import { csvEntryName, exportFileName, sheetsOf, showsPhones, type ExportFormat, type SheetCode, type TableCode } from './rules.js';
import { ngoSources } from './sources-ngos.js';
import { officeSources } from './sources-office.js';
import { trainingSources } from './sources-training.js';
import type { ExportScope, SheetRows, SheetSource } from './types.js';

export interface ExportDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  clock: Clock;
  /** Exports built at once in this process; more wait for a moment (each holds a page in memory and a database connection). */
  maxConcurrent?: number;
}

/** The file built for one request, to be sent and then disposed of. */
export interface ExportFile {
  path: string;
  fileName: string;
  table: TableCode;
  format: ExportFormat;
  sheets: { sheet: SheetCode; rows: number }[];
  /** The county a county admin's export is limited to; null for the province. */
  county: string | null;
  /** Whether phone numbers are in the file (super admins only). */
  phones: boolean;
  createdAt: Date;
  /** Removes the temporary file; safe to call more than once. */
  dispose(): Promise<void>;
}

export function createExportService(deps: ExportDeps) {
  const { prisma, clock } = deps;
  const maxConcurrent = deps.maxConcurrent ?? 1;
  const sources: { [S in SheetCode]: SheetSource<S> } = {
    ...ngoSources(prisma),
    ...trainingSources(prisma),
    ...officeSources(prisma, deps.outbox),
  };
  let running = 0;

  function sheetOut<S extends SheetCode>(code: S, scope: ExportScope, layout: ExportLayout): SheetOut {
    const sheet = layout.sheet(code, { phones: scope.phones });
    const rows = sources[code](scope) as AsyncIterable<SheetRows[S][]>;
    return { title: sheet.title, entryName: csvEntryName(code, scope.now), columns: sheet.columns, pages: mapPages(rows, sheet.cells) };
  }

  async function countyName(counties: number[] | null): Promise<string | null> {
    if (counties === null) return null;
    const rows = await prisma.county.findMany({ where: { id: { in: counties } }, orderBy: { sortOrder: 'asc' }, select: { name: true } });
    return rows.map((c) => c.name).join('، ') || '—';
  }

  return {
    /**
     * Builds the export of `table` in `format` for a staff member, within their scope, laid out for its
     * reader. Throws 'common.errors.not_admin' for anyone else and 'exports.errors.busy' while another
     * export is being built in this process.
     */
    async build(adminId: bigint, table: TableCode, format: ExportFormat, layout: ExportLayout): Promise<ExportFile> {
      const staff = await staffMember(prisma, adminId);
      if (running >= maxConcurrent) throw new AppError('exports.errors.busy');
      running += 1;
      const now = clock.now();
      const scope: ExportScope = { counties: scopedCounties(staff), phones: showsPhones(staff.role), now };
      const dir = await mkdtemp(path.join(os.tmpdir(), 'ngo-export-'));
      const dispose = () => rm(dir, { recursive: true, force: true });
      try {
        const fileName = exportFileName(table, format, now);
        const filePath = path.join(dir, fileName);
        const codes = sheetsOf(table);
        const counts = await writeExportFile(
          filePath,
          codes.map((code) => sheetOut(code, scope, layout)),
          { format, rightToLeft: layout.rightToLeft },
        );
        const sheets = codes.map((sheet, i) => ({ sheet, rows: counts[i] ?? 0 }));
        await recordAudit(prisma, {
          actorId: adminId,
          action: 'export.created',
          entityType: 'export',
          entityId: table,
          details: { format, rows: Object.fromEntries(sheets.map((s) => [s.sheet, s.rows])), counties: scope.counties, phones: scope.phones },
        });
        return { path: filePath, fileName, table, format, sheets, county: await countyName(scope.counties), phones: scope.phones, createdAt: now, dispose };
      } catch (err) {
        await dispose();
        throw err;
      } finally {
        running -= 1;
      }
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
