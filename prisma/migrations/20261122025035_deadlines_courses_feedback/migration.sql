-- CreateEnum
CREATE TYPE "DeadlineKind" AS ENUM ('PROJECT', 'GENERAL');

-- CreateEnum
CREATE TYPE "DeadlineStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateEnum
CREATE TYPE "DeadlineTargetStatus" AS ENUM ('PENDING', 'SUBMITTED', 'ACCEPTED');

-- CreateEnum
CREATE TYPE "RecurrenceRule" AS ENUM ('YEARLY', 'MONTHLY');

-- CreateEnum
CREATE TYPE "TrainingFormat" AS ENUM ('IN_PERSON', 'ONLINE');

-- CreateEnum
CREATE TYPE "NeedStatus" AS ENUM ('OPEN', 'WITHDRAWN', 'FULFILLED');

-- CreateEnum
CREATE TYPE "CourseStatus" AS ENUM ('PUBLISHED', 'CANCELLED', 'FINISHED');

-- CreateEnum
CREATE TYPE "EnrollmentStatus" AS ENUM ('ENROLLED', 'WAITLISTED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "FeedbackType" AS ENUM ('SUGGESTION', 'CRITICISM', 'COMPLAINT', 'QUESTION');

-- CreateEnum
CREATE TYPE "FeedbackStatus" AS ENUM ('RECEIVED', 'ANSWERED', 'CLOSED');

-- CreateTable
CREATE TABLE "deadlines" (
    "id" SERIAL NOT NULL,
    "kind" "DeadlineKind" NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "ngo_id" INTEGER,
    "amount_toman" BIGINT,
    "starts_at" TIMESTAMP(3),
    "due_at" TIMESTAMP(3) NOT NULL,
    "audience" JSONB,
    "reminder_days" JSONB NOT NULL,
    "status" "DeadlineStatus" NOT NULL DEFAULT 'OPEN',
    "created_by" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "deadlines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deadline_targets" (
    "deadline_id" INTEGER NOT NULL,
    "ngo_id" INTEGER NOT NULL,
    "status" "DeadlineTargetStatus" NOT NULL DEFAULT 'PENDING',
    "report_text" TEXT,
    "report_file_id" TEXT,
    "report_file_name" TEXT,
    "submitted_by" BIGINT,
    "submitted_at" TIMESTAMP(3),
    "accepted_by" BIGINT,
    "accepted_at" TIMESTAMP(3),

    CONSTRAINT "deadline_targets_pkey" PRIMARY KEY ("deadline_id","ngo_id")
);

-- CreateTable
CREATE TABLE "recurring_broadcasts" (
    "id" SERIAL NOT NULL,
    "created_by" BIGINT NOT NULL,
    "source_chat_id" BIGINT NOT NULL,
    "source_message_id" INTEGER NOT NULL,
    "content_kind" TEXT NOT NULL,
    "audience" JSONB NOT NULL,
    "rule" "RecurrenceRule" NOT NULL,
    "month" INTEGER,
    "day" INTEGER NOT NULL,
    "hour" INTEGER NOT NULL DEFAULT 9,
    "minute" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "last_period" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recurring_broadcasts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_topics" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_topics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_needs" (
    "id" SERIAL NOT NULL,
    "ngo_id" INTEGER NOT NULL,
    "topic_id" INTEGER,
    "other_topic" TEXT,
    "description" TEXT NOT NULL,
    "participants" INTEGER NOT NULL,
    "format" "TrainingFormat" NOT NULL,
    "status" "NeedStatus" NOT NULL DEFAULT 'OPEN',
    "created_by" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_needs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "courses" (
    "id" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "topic_id" INTEGER,
    "starts_at" TIMESTAMP(3) NOT NULL,
    "duration_minutes" INTEGER NOT NULL,
    "format" "TrainingFormat" NOT NULL,
    "place" TEXT,
    "online_link" TEXT,
    "capacity" INTEGER NOT NULL,
    "per_ngo_limit" INTEGER NOT NULL,
    "registration_deadline" TIMESTAMP(3) NOT NULL,
    "eligibility" JSONB NOT NULL,
    "status" "CourseStatus" NOT NULL DEFAULT 'PUBLISHED',
    "head_start_until" TIMESTAMP(3),
    "created_by" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "courses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrollments" (
    "id" SERIAL NOT NULL,
    "course_id" INTEGER NOT NULL,
    "ngo_id" INTEGER NOT NULL,
    "participants" INTEGER NOT NULL,
    "status" "EnrollmentStatus" NOT NULL,
    "waitlisted_at" TIMESTAMP(3),
    "created_by" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "attended" BOOLEAN,

    CONSTRAINT "enrollments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "course_ratings" (
    "course_id" INTEGER NOT NULL,
    "user_id" BIGINT NOT NULL,
    "ngo_id" INTEGER NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "course_ratings_pkey" PRIMARY KEY ("course_id","user_id")
);

-- CreateTable
CREATE TABLE "feedback_items" (
    "id" SERIAL NOT NULL,
    "type" "FeedbackType" NOT NULL,
    "status" "FeedbackStatus" NOT NULL DEFAULT 'RECEIVED',
    "user_id" BIGINT NOT NULL,
    "ngo_id" INTEGER,
    "anonymous" BOOLEAN NOT NULL DEFAULT false,
    "assigned_to" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "waiting_since" TIMESTAMP(3),
    "last_reminder_at" TIMESTAMP(3),

    CONSTRAINT "feedback_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback_messages" (
    "id" SERIAL NOT NULL,
    "item_id" INTEGER NOT NULL,
    "author_id" BIGINT NOT NULL,
    "from_office" BOOLEAN NOT NULL,
    "text" TEXT NOT NULL,
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feedback_messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deadlines_status_due_at_idx" ON "deadlines"("status", "due_at");

-- CreateIndex
CREATE INDEX "deadline_targets_ngo_id_status_idx" ON "deadline_targets"("ngo_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "training_topics_name_key" ON "training_topics"("name");

-- CreateIndex
CREATE INDEX "training_needs_status_topic_id_idx" ON "training_needs"("status", "topic_id");

-- CreateIndex
CREATE INDEX "training_needs_ngo_id_status_idx" ON "training_needs"("ngo_id", "status");

-- CreateIndex
CREATE INDEX "courses_status_starts_at_idx" ON "courses"("status", "starts_at");

-- CreateIndex
CREATE INDEX "enrollments_course_id_status_idx" ON "enrollments"("course_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "enrollments_course_id_ngo_id_key" ON "enrollments"("course_id", "ngo_id");

-- CreateIndex
CREATE INDEX "feedback_items_status_waiting_since_idx" ON "feedback_items"("status", "waiting_since");

-- CreateIndex
CREATE INDEX "feedback_items_user_id_created_at_idx" ON "feedback_items"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "feedback_messages_item_id_created_at_idx" ON "feedback_messages"("item_id", "created_at");

-- AddForeignKey
ALTER TABLE "deadlines" ADD CONSTRAINT "deadlines_ngo_id_fkey" FOREIGN KEY ("ngo_id") REFERENCES "ngos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deadline_targets" ADD CONSTRAINT "deadline_targets_deadline_id_fkey" FOREIGN KEY ("deadline_id") REFERENCES "deadlines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deadline_targets" ADD CONSTRAINT "deadline_targets_ngo_id_fkey" FOREIGN KEY ("ngo_id") REFERENCES "ngos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_needs" ADD CONSTRAINT "training_needs_ngo_id_fkey" FOREIGN KEY ("ngo_id") REFERENCES "ngos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_needs" ADD CONSTRAINT "training_needs_topic_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "training_topics"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "courses" ADD CONSTRAINT "courses_topic_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "training_topics"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_ngo_id_fkey" FOREIGN KEY ("ngo_id") REFERENCES "ngos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_ratings" ADD CONSTRAINT "course_ratings_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_ngo_id_fkey" FOREIGN KEY ("ngo_id") REFERENCES "ngos"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback_messages" ADD CONSTRAINT "feedback_messages_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "feedback_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Training topics NGOs most often ask for (admins edit the list later).
INSERT INTO "training_topics" ("name", "sort_order") VALUES
  ('جذب منابع مالی', 10),
  ('نگارش طرح و پروپوزال', 20),
  ('مدیریت مالی سمن', 30),
  ('مدیریت داوطلبان', 40),
  ('رسانه و شبکه‌های اجتماعی', 50),
  ('قوانین و مقررات سازمان‌های مردم‌نهاد', 60),
  ('کمک‌های اولیه', 70)
ON CONFLICT ("name") DO NOTHING;
