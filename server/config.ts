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
  /** 站内信 also goes out through these registered senders (SMS, mail); none by default (MESSAGE_SENDERS=sms,mail). */
  readonly messageSenders: readonly string[];
  /** Public credit queries one IP address may make per minute (PUBLIC_QUERY_RATE_LIMIT, default 30). */
  readonly publicQueryRatePerMinute: number;
  /** Mark cookies Secure (behind HTTPS). */
  readonly secureCookies: boolean;
  /**
   * Map stack traces to the TypeScript sources. Off by default in the server: Sequelize reads an Error's
   * stack on every query, and a source-mapped stack costs 0.1–0.25 ms each time.
   */
  readonly sourceMapStacks: boolean;
  /**
   * The key of the audit log's HMAC chain and its signed checkpoints (AUDIT_KEY, else DATA_DIR/audit-key, created
   * once with mode 0600). Every node writing one database must use the same key, or each reports the others' entries.
   */
  readonly auditKey: string;
  /** This node's name in the audit log: its entries form its own chains, its checkpoints its own file (NODE_ID, else DATA_DIR/node-id). */
  readonly nodeId: string;
  /** Where signed checkpoints of the audit chains' heads are appended (AUDIT_CHECKPOINT_DIR, default DATA_DIR). */
  readonly auditCheckpointDir: string;
  /** How often a checkpoint is written while the audit log grows (AUDIT_CHECKPOINT_INTERVAL_S, default 60). */
  readonly auditCheckpointIntervalMs: number;
  /** Audit chains per node on MySQL/MariaDB, so concurrent audited writes do not queue on one head row (AUDIT_CHAINS_PER_NODE, default 4). */
  readonly auditChainsPerNode: number;
}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  return ["1", "true", "yes", "on"].includes(value.toLowerCase());
}

function readOrCreateSecret(dataDir: string, name = "session-secret", create = () => randomBytes(32).toString("hex")): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = create();
  // "wx": two processes starting on one fresh data directory must not each write their own secret.
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return readFileSync(file, "utf8").trim();
  }
  return secret;
}

const AUDIT_KEY_MIN_LENGTH = 32;
const NODE_ID = /^[A-Za-z0-9_.-]{1,48}$/;

function auditKeyFrom(env: NodeJS.ProcessEnv, dataDir: string): string {
  const key = env.AUDIT_KEY || readOrCreateSecret(dataDir, "audit-key");
  if (key.length < AUDIT_KEY_MIN_LENGTH) throw new Error(`AUDIT_KEY must be at least ${AUDIT_KEY_MIN_LENGTH} characters`);
  return key;
}

function nodeIdFrom(env: NodeJS.ProcessEnv, dataDir: string): string {
  const id = env.NODE_ID || readOrCreateSecret(dataDir, "node-id", () => `node-${randomBytes(4).toString("hex")}`);
  if (!NODE_ID.test(id)) throw new Error("NODE_ID must be 1-48 letters, digits, '.', '_' or '-'");
  return id;
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got ${value}`);
  return n;
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
    messageSenders: (env.MESSAGE_SENDERS ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
    publicQueryRatePerMinute: positiveInteger(env.PUBLIC_QUERY_RATE_LIMIT, 30, "PUBLIC_QUERY_RATE_LIMIT"),
    secureCookies: parseBool(env.SECURE_COOKIES) ?? false,
    sourceMapStacks: parseBool(env.SOURCE_MAP_STACKS) ?? false,
    auditKey: auditKeyFrom(env, dataDir),
    nodeId: nodeIdFrom(env, dataDir),
    auditCheckpointDir: path.resolve(env.AUDIT_CHECKPOINT_DIR || dataDir),
    auditCheckpointIntervalMs: positiveInteger(env.AUDIT_CHECKPOINT_INTERVAL_S, 60, "AUDIT_CHECKPOINT_INTERVAL_S") * 1000,
    auditChainsPerNode: positiveInteger(env.AUDIT_CHAINS_PER_NODE, 4, "AUDIT_CHAINS_PER_NODE"),
  });
}
