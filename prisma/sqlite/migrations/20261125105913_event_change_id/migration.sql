-- AlterTable
ALTER TABLE "SessionEvent" ADD COLUMN "changeId" TEXT;
