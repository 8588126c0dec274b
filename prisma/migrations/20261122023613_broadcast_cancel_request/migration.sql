-- AlterTable
ALTER TABLE "broadcasts" ADD COLUMN     "cancel_requested" BOOLEAN NOT NULL DEFAULT false;
