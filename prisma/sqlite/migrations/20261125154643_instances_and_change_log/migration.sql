-- AlterTable
ALTER TABLE "Session" ADD COLUMN "activeTurn" TEXT;
ALTER TABLE "Session" ADD COLUMN "runtimeInstanceId" TEXT;

-- CreateTable
CREATE TABLE "ServerInstance" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SessionChangeLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "txid" BIGINT,
    "sessionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "ownerId" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "SessionChangeLog_txid_id_idx" ON "SessionChangeLog"("txid", "id");

-- CreateIndex
CREATE INDEX "Session_runtimeInstanceId_idx" ON "Session"("runtimeInstanceId");
