-- CreateEnum
CREATE TYPE "BroadcastStatus" AS ENUM ('SCHEDULED', 'SENDING', 'DONE', 'CANCELLED', 'FAILED');

-- CreateTable
CREATE TABLE "broadcasts" (
    "id" SERIAL NOT NULL,
    "created_by" BIGINT NOT NULL,
    "source_chat_id" BIGINT NOT NULL,
    "source_message_id" INTEGER NOT NULL,
    "content_kind" TEXT NOT NULL,
    "audience" JSONB NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "status" "BroadcastStatus" NOT NULL DEFAULT 'SCHEDULED',
    "requested_at" TIMESTAMP(3) NOT NULL,
    "start_at" TIMESTAMP(3) NOT NULL,
    "recipient_count" INTEGER NOT NULL DEFAULT 0,
    "outbox_message_id" BIGINT,
    "progress_chat_id" BIGINT,
    "progress_message_id" INTEGER,
    "failure_reason" TEXT,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broadcasts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "broadcasts_outbox_message_id_key" ON "broadcasts"("outbox_message_id");

-- CreateIndex
CREATE INDEX "broadcasts_status_start_at_idx" ON "broadcasts"("status", "start_at");
