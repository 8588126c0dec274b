-- CreateEnum
CREATE TYPE "NgoStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "MemberRole" AS ENUM ('MANAGER', 'MEMBER');

-- CreateTable
CREATE TABLE "ngos" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "registration_number" TEXT NOT NULL,
    "authority" TEXT NOT NULL,
    "authority_other" TEXT,
    "authority_key" TEXT NOT NULL,
    "county_id" INTEGER NOT NULL,
    "founded_year" INTEGER,
    "member_count" INTEGER,
    "manager_name" TEXT NOT NULL,
    "manager_phone" TEXT NOT NULL,
    "description" TEXT,
    "status" "NgoStatus" NOT NULL DEFAULT 'PENDING',
    "status_reason" TEXT,
    "reviewed_by" BIGINT,
    "reviewed_at" TIMESTAMP(3),
    "submitted_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approved_at" TIMESTAMP(3),
    "invite_token" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ngos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ngo_fields" (
    "ngo_id" INTEGER NOT NULL,
    "field_id" INTEGER NOT NULL,

    CONSTRAINT "ngo_fields_pkey" PRIMARY KEY ("ngo_id","field_id")
);

-- CreateTable
CREATE TABLE "ngo_members" (
    "user_id" BIGINT NOT NULL,
    "ngo_id" INTEGER NOT NULL,
    "role" "MemberRole" NOT NULL,
    "joined_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ngo_members_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ngos_invite_token_key" ON "ngos"("invite_token");

-- CreateIndex
CREATE INDEX "ngos_status_submitted_at_idx" ON "ngos"("status", "submitted_at");

-- CreateIndex
CREATE INDEX "ngos_county_id_status_idx" ON "ngos"("county_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ngos_authority_key_registration_number_key" ON "ngos"("authority_key", "registration_number");

-- CreateIndex
CREATE INDEX "ngo_fields_field_id_idx" ON "ngo_fields"("field_id");

-- CreateIndex
CREATE INDEX "ngo_members_ngo_id_role_idx" ON "ngo_members"("ngo_id", "role");

-- AddForeignKey
ALTER TABLE "ngos" ADD CONSTRAINT "ngos_county_id_fkey" FOREIGN KEY ("county_id") REFERENCES "counties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ngo_fields" ADD CONSTRAINT "ngo_fields_ngo_id_fkey" FOREIGN KEY ("ngo_id") REFERENCES "ngos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ngo_fields" ADD CONSTRAINT "ngo_fields_field_id_fkey" FOREIGN KEY ("field_id") REFERENCES "activity_fields"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ngo_members" ADD CONSTRAINT "ngo_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ngo_members" ADD CONSTRAINT "ngo_members_ngo_id_fkey" FOREIGN KEY ("ngo_id") REFERENCES "ngos"("id") ON DELETE CASCADE ON UPDATE CASCADE;
