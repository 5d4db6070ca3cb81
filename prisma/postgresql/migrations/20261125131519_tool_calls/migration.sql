-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "isError" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "toolCallId" TEXT,
ADD COLUMN     "toolCalls" TEXT,
ADD COLUMN     "toolName" TEXT;

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "activeTurnId" TEXT,
ADD COLUMN     "todos" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "toolsApproved" BOOLEAN NOT NULL DEFAULT false;
