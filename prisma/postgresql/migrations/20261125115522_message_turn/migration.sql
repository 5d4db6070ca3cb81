-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "cancelled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "turnId" TEXT;
