-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "workingDir" TEXT NOT NULL,
    "teamName" TEXT NOT NULL,
    "currentAgent" TEXT NOT NULL,
    "starred" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 0,
    "lastEventSeq" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgentModelOverride" (
    "sessionId" TEXT NOT NULL,
    "agentName" TEXT NOT NULL,
    "modelRef" TEXT NOT NULL,

    PRIMARY KEY ("sessionId", "agentName"),
    CONSTRAINT "AgentModelOverride_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CustomModelUsed" (
    "sessionId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "modelRef" TEXT NOT NULL,

    PRIMARY KEY ("sessionId", "position"),
    CONSTRAINT "CustomModelUsed_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SessionEvent" (
    "sessionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "agentName" TEXT,
    "payload" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("sessionId", "seq"),
    CONSTRAINT "SessionEvent_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Session_createdAt_id_idx" ON "Session"("createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "CustomModelUsed_sessionId_modelRef_key" ON "CustomModelUsed"("sessionId", "modelRef");
