/** Every admin action leaves a row here (invariant 4): who, what, on which record, with what details. */
import type { PrismaClient } from './client.js';

export interface AuditEntry {
  actorId: bigint | null;
  action: string;
  entityType?: string;
  entityId?: string;
  details?: Record<string, unknown>;
}

type AuditWriter = Pick<PrismaClient, 'auditLog'>;

export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      entityType: entry.entityType ?? null,
      entityId: entry.entityId ?? null,
      details: (entry.details ?? undefined) as object | undefined,
    },
  });
}
