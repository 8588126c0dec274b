import { fileURLToPath } from 'node:url';

/** The prisma/ folder travels with the code, so locate it from this file rather than the working directory. */
export const prismaDir = fileURLToPath(new URL('../../../prisma/', import.meta.url));
export const schemaPath = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));
export const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));
