-- AlterTable
ALTER TABLE "admins" ADD COLUMN     "feedback_digest" BOOLEAN NOT NULL DEFAULT false;
