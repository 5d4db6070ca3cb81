-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "attributes" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "cost" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "forkedFromId" TEXT,
ADD COLUMN     "inputTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "maxConsecutiveToolCalls" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "maxIterations" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "maxOldToolCallTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "outputTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "permissions" TEXT NOT NULL DEFAULT '{"allow":[],"ask":[],"deny":[]}',
ADD COLUMN     "safetyPolicy" TEXT NOT NULL DEFAULT 'ASK_UNSAFE';

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "agentName" TEXT,
    "content" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Message_sessionId_position_key" ON "Message"("sessionId", "position");

-- CreateIndex
CREATE INDEX "Session_updatedAt_id_idx" ON "Session"("updatedAt", "id");

-- CreateIndex
CREATE INDEX "Session_title_id_idx" ON "Session"("title", "id");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
