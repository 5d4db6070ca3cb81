-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "workingDir" TEXT NOT NULL,
    "teamName" TEXT NOT NULL,
    "currentAgent" TEXT NOT NULL,
    "starred" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 0,
    "lastEventSeq" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentModelOverride" (
    "sessionId" TEXT NOT NULL,
    "agentName" TEXT NOT NULL,
    "modelRef" TEXT NOT NULL,

    CONSTRAINT "AgentModelOverride_pkey" PRIMARY KEY ("sessionId","agentName")
);

-- CreateTable
CREATE TABLE "CustomModelUsed" (
    "sessionId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "modelRef" TEXT NOT NULL,

    CONSTRAINT "CustomModelUsed_pkey" PRIMARY KEY ("sessionId","position")
);

-- CreateTable
CREATE TABLE "SessionEvent" (
    "sessionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "agentName" TEXT,
    "payload" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SessionEvent_pkey" PRIMARY KEY ("sessionId","seq")
);

-- CreateIndex
CREATE INDEX "Session_createdAt_id_idx" ON "Session"("createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "CustomModelUsed_sessionId_modelRef_key" ON "CustomModelUsed"("sessionId", "modelRef");

-- AddForeignKey
ALTER TABLE "AgentModelOverride" ADD CONSTRAINT "AgentModelOverride_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomModelUsed" ADD CONSTRAINT "CustomModelUsed_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionEvent" ADD CONSTRAINT "SessionEvent_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
