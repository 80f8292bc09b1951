import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  readonly env: "development" | "production" | "test";
  readonly port: number;
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly sessionSecret: string;
  readonly logLevel: LogLevel;
  /** Seed demo accounts and subjects: always on a fresh embedded database, on MySQL only when DEMO_SEED=1. */
  readonly demoSeed: boolean | "auto";
  readonly uploadDir: string;
  readonly uploadLimitBytes: number;
  readonly bodyLimit: string;
  /** Process jobs (timers) in this node. */
  readonly jobWorker: boolean;
  /** Mark cookies Secure (behind HTTPS). */
  readonly secureCookies: boolean;
  /**
   * Map stack traces to the TypeScript sources. Off by default in the server: Sequelize reads an Error's
   * stack on every query, and a source-mapped stack costs 0.1–0.25 ms each time.
   */
  readonly sourceMapStacks: boolean;
}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  return ["1", "true", "yes", "on"].includes(value.toLowerCase());
}

function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Reads the environment once into a typed, frozen configuration; the only place that reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV === "production" ? "production" : env.NODE_ENV === "test" ? "test" : "development";
  const dataDir = path.resolve(env.DATA_DIR ?? "data");
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, "platform.sqlite")}`;
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const logLevel = (env.LOG_LEVEL ?? (nodeEnv === "test" ? "silent" : "info")) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  let sessionSecret = env.SESSION_SECRET ?? "";
  if (!sessionSecret) {
    if (nodeEnv === "production") throw new Error("SESSION_SECRET is required in production");
    sessionSecret = readOrCreateSecret(dataDir);
  }
  const demo = parseBool(env.DEMO_SEED);
  const uploadMb = Number(env.UPLOAD_LIMIT_MB ?? 10);
  return Object.freeze({
    env: nodeEnv,
    port,
    databaseUrl,
    dataDir,
    sessionSecret,
    logLevel,
    demoSeed: demo === undefined ? "auto" : demo,
    uploadDir: path.resolve(env.UPLOAD_DIR ?? path.join(dataDir, "uploads")),
    uploadLimitBytes: Math.round((Number.isFinite(uploadMb) && uploadMb > 0 ? uploadMb : 10) * 1024 * 1024),
    bodyLimit: env.BODY_LIMIT ?? "1mb",
    jobWorker: parseBool(env.JOB_WORKER) ?? true,
    secureCookies: parseBool(env.SECURE_COOKIES) ?? false,
    sourceMapStacks: parseBool(env.SOURCE_MAP_STACKS) ?? false,
  });
}
