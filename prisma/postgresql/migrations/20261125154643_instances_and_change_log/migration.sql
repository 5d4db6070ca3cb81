-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "activeTurn" TEXT,
ADD COLUMN     "runtimeInstanceId" TEXT;

-- CreateTable
CREATE TABLE "ServerInstance" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ServerInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SessionChangeLog" (
    "id" SERIAL NOT NULL,
    "txid" BIGINT,
    "sessionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "ownerId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SessionChangeLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SessionChangeLog_txid_id_idx" ON "SessionChangeLog"("txid", "id");

-- CreateIndex
CREATE INDEX "Session_runtimeInstanceId_idx" ON "Session"("runtimeInstanceId");
