-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "agentName" TEXT,
    "content" TEXT NOT NULL,
    "turnId" TEXT,
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "toolCalls" TEXT,
    "toolCallId" TEXT,
    "toolName" TEXT,
    "isError" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Message_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("agentName", "cancelled", "content", "createdAt", "id", "position", "role", "sessionId", "turnId", "updatedAt") SELECT "agentName", "cancelled", "content", "createdAt", "id", "position", "role", "sessionId", "turnId", "updatedAt" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE UNIQUE INDEX "Message_sessionId_position_key" ON "Message"("sessionId", "position");
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "workingDir" TEXT NOT NULL,
    "teamName" TEXT NOT NULL,
    "currentAgent" TEXT NOT NULL,
    "starred" BOOLEAN NOT NULL DEFAULT false,
    "permissions" TEXT NOT NULL DEFAULT '{"allow":[],"ask":[],"deny":[]}',
    "safetyPolicy" TEXT NOT NULL DEFAULT 'ASK_UNSAFE',
    "maxIterations" INTEGER NOT NULL DEFAULT 0,
    "maxConsecutiveToolCalls" INTEGER NOT NULL DEFAULT 0,
    "maxOldToolCallTokens" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "cost" REAL NOT NULL DEFAULT 0,
    "attributes" TEXT NOT NULL DEFAULT '{}',
    "toolsApproved" BOOLEAN NOT NULL DEFAULT false,
    "todos" TEXT NOT NULL DEFAULT '[]',
    "activeTurnId" TEXT,
    "forkedFromId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "lastEventSeq" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Session" ("attributes", "cost", "createdAt", "currentAgent", "forkedFromId", "id", "inputTokens", "lastEventSeq", "maxConsecutiveToolCalls", "maxIterations", "maxOldToolCallTokens", "outputTokens", "permissions", "safetyPolicy", "starred", "teamName", "title", "updatedAt", "version", "workingDir") SELECT "attributes", "cost", "createdAt", "currentAgent", "forkedFromId", "id", "inputTokens", "lastEventSeq", "maxConsecutiveToolCalls", "maxIterations", "maxOldToolCallTokens", "outputTokens", "permissions", "safetyPolicy", "starred", "teamName", "title", "updatedAt", "version", "workingDir" FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE INDEX "Session_createdAt_id_idx" ON "Session"("createdAt", "id");
CREATE INDEX "Session_updatedAt_id_idx" ON "Session"("updatedAt", "id");
CREATE INDEX "Session_title_id_idx" ON "Session"("title", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
