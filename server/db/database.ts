import path from "node:path";
import { Sequelize, Transaction, type Options } from "sequelize";
import { WriteQueue } from "./writeQueue.js";

export type Dialect = "sqlite" | "mysql" | "mariadb";

export interface Database {
  readonly sequelize: Sequelize;
  readonly dialect: "sqlite" | "mysql";
  /** Runs fn in a transaction; on SQLite every write transaction waits its turn in one queue. */
  transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface SqliteHandle {
  configure(option: "busyTimeout", ms: number): void;
  run(sql: string, cb?: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
}

const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** Finished transaction connections kept open for the next transactions (the write queue runs one at a time). */
const SQLITE_IDLE_TRANSACTION_CONNECTIONS = 2;
const MYSQL_RETRYABLE = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);

function sqliteStorage(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, "");
  if (rest === ":memory:" || rest === "") throw new Error("An in-memory SQLite database cannot be shared by transactions; use a file");
  return path.resolve(rest);
}

interface SqliteManager {
  connections: Record<string, SqliteHandle>;
  getConnection(options?: { uuid?: string }): Promise<SqliteHandle>;
  releaseConnection(connection: SqliteHandle & { uuid?: string }, force?: boolean): void;
}

/**
 * Every new SQLite connection gets the same pragmas: a busy timeout and relaxed fsync under WAL.
 * Sequelize opens a new connection for every transaction and closes it at the end (file open, pragmas
 * and a schema parse each time: most of a short transaction's cost); finished transaction connections
 * are kept and handed to the next transaction instead. Answers a function that closes the kept ones.
 */
function configureSqliteConnections(sequelize: Sequelize): () => Promise<void> {
  const manager = sequelize.connectionManager as unknown as SqliteManager;
  const configured = new WeakSet<object>();
  const idle: SqliteHandle[] = [];
  const original = manager.getConnection.bind(manager);
  const originalRelease = manager.releaseConnection.bind(manager);
  manager.getConnection = async (options?: { uuid?: string }) => {
    const uuid = options?.uuid;
    if (uuid && uuid !== "default" && !manager.connections[uuid] && idle.length) {
      const reused = idle.pop()!;
      manager.connections[uuid] = reused;
      return reused;
    }
    const connection = await original(options);
    if (!configured.has(connection)) {
      configured.add(connection);
      connection.configure("busyTimeout", SQLITE_BUSY_TIMEOUT_MS);
      await new Promise<void>((resolve, reject) => connection.run("PRAGMA synchronous=NORMAL", (err) => (err ? reject(err) : resolve())));
    }
    return connection;
  };
  manager.releaseConnection = (connection, force) => {
    if (!connection.uuid || force || idle.length >= SQLITE_IDLE_TRANSACTION_CONNECTIONS) return originalRelease(connection, force);
    delete manager.connections[connection.uuid];
    idle.push(connection);
  };
  return async () => {
    const closing = idle.splice(0);
    await Promise.all(closing.map((c) => new Promise<void>((resolve) => c.close(() => resolve()))));
  };
}

function isRetryable(err: unknown): boolean {
  const code = (err as { parent?: { code?: string }; original?: { code?: string } })?.parent?.code;
  return code !== undefined && MYSQL_RETRYABLE.has(code);
}

/** Opens the database named by a URL (sqlite:path or mysql://...) with the settings this platform relies on. */
export async function openDatabase(url: string, logging: false | ((sql: string) => void) = false): Promise<Database> {
  const isSqlite = url.startsWith("sqlite:");
  const options: Options = isSqlite
    ? {
        dialect: "sqlite",
        storage: sqliteStorage(url),
        logging,
        transactionType: Transaction.TYPES.IMMEDIATE,
        define: { underscored: true },
        pool: { max: 1, min: 0 },
      }
    : {
        dialect: "mysql",
        logging,
        timezone: "+00:00",
        dialectOptions: { charset: "utf8mb4", dateStrings: false, supportBigNumbers: true },
        define: { underscored: true, charset: "utf8mb4", collate: "utf8mb4_unicode_ci" },
        // READ COMMITTED is set once per connection (afterConnect below), not before every transaction.
        pool: { max: 10, min: 0, idle: 10_000, acquire: 30_000 },
      };
  const sequelize = isSqlite ? new Sequelize(options) : new Sequelize(url.replace(/^mariadb:/, "mysql:"), options);
  let closeIdle = () => Promise.resolve();
  if (isSqlite) {
    closeIdle = configureSqliteConnections(sequelize);
    await sequelize.query("PRAGMA journal_mode=WAL");
  } else {
    sequelize.addHook("afterConnect", async (connection: unknown) => {
      const conn = connection as { query(sql: string, cb: (err: Error | null) => void): void };
      await new Promise<void>((resolve, reject) =>
        conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", (err) => (err ? reject(err) : resolve())),
      );
    });
    await sequelize.query("SET NAMES utf8mb4");
  }
  await sequelize.authenticate();

  const queue = new WriteQueue();
  const transaction = isSqlite
    ? <T>(fn: (t: Transaction) => Promise<T>) => queue.run(() => sequelize.transaction(fn))
    : async <T>(fn: (t: Transaction) => Promise<T>) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await sequelize.transaction(fn);
          } catch (err) {
            if (attempt >= 5 || !isRetryable(err)) throw err;
            await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
          }
        }
      };

  return {
    sequelize,
    dialect: isSqlite ? "sqlite" : "mysql",
    transaction,
    close: async () => {
      await closeIdle();
      await sequelize.close();
    },
  };
}
