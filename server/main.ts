import type { Server } from "node:http";
import { bootPlatform } from "./boot.js";
import { loadConfig } from "./config.js";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "./domain/accounts/demoSeed.js";
import { startAuditCheckpoints } from "./domain/audit.js";
import { startJobWorker } from "./engine/index.js";
import { startCreditDailyJobs } from "./domain/credit/dailyJobs.js";
import { startGradingJobs } from "./domain/grading/recompute.js";
import { createLogger } from "./logger.js";

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  process.setSourceMapsEnabled(config.sourceMapStacks);
  const logger = createLogger(config.logLevel);
  const { db, demoEnabled, app } = await bootPlatform(config, logger);
  // Signed checkpoints of every audit chain's head, outside the database: now, every interval while the log grows, on shutdown.
  const checkpoints = startAuditCheckpoints(db, logger);
  const server: Server = app.listen(config.port);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  // Timer jobs fire in every node; claims are conditional updates, so several nodes never fire one job twice.
  const jobWorker = config.jobWorker ? startJobWorker(app.locals.context.engine, logger, 1000) : undefined;
  // Daily credit jobs (publicity expiry): any node may run them, a claim row per day makes each run once.
  const creditJobs = config.jobWorker
    ? startCreditDailyJobs({ db, clock: app.locals.context.clock, logger, nodeId: config.nodeId })
    : undefined;
  // Credit grades: every minute the subjects whose inputs changed, nightly all; claim rows make each run once.
  const gradingJobs = config.jobWorker
    ? startGradingJobs({ db, clock: app.locals.context.clock, logger, nodeId: config.nodeId })
    : undefined;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info({ port, database: db.dialect, ms: Date.now() - started }, "server started");
  const lines = [`信用承诺与修复平台已启动：http://localhost:${port}  (数据库：${db.dialect}，启动用时 ${Date.now() - started} ms)`];
  if (demoEnabled) {
    lines.push(`演示账号（密码均为 ${DEMO_PASSWORD}）：${DEMO_ACCOUNTS.map((a) => `${a.username}（${a.displayName}）`).join("，")}`);
  }
  process.stdout.write(lines.join("\n") + "\n");

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new connections, finishing requests in flight");
    const force = setTimeout(() => {
      logger.warn("requests still running after the grace period; closing connections");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    const workerStopped = Promise.all([jobWorker?.stop(), creditJobs?.stop(), gradingJobs?.stop()]);
    server.close(() => {
      void workerStopped
        .then(() => checkpoints.stop())
        .then(() => db.close())
        .finally(() => {
          logger.info("stopped");
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(`启动失败：${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
