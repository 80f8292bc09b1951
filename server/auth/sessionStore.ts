import session, { type SessionData } from "express-session";
import { QueryTypes } from "sequelize";
import type { Database } from "../db/database.js";

const DEFAULT_TTL_MS = 8 * 60 * 60 * 1000;
type Callback = (err?: unknown) => void;

/** Keeps sessions in the database so any node can serve any request. */
export class DatabaseSessionStore extends session.Store {
  constructor(private readonly db: Database) {
    super();
  }

  private expiry(sess: SessionData): Date {
    const cookieExpires = sess.cookie?.expires;
    return cookieExpires ? new Date(cookieExpires) : new Date(Date.now() + DEFAULT_TTL_MS);
  }

  override get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void {
    this.db.sequelize
      .query<{ data: string; expires: Date | string | null }>("SELECT data, expires FROM sessions WHERE sid = :sid", {
        type: QueryTypes.SELECT,
        replacements: { sid },
      })
      .then(([row]) => {
        if (!row || (row.expires && new Date(row.expires).getTime() < Date.now())) return cb(null, null);
        let session: SessionData | null;
        try {
          session = JSON.parse(row.data) as SessionData;
        } catch {
          session = null; // a damaged row is no session (sign in again), not a request that never answers
        }
        cb(null, session);
      }, cb);
  }

  override set(sid: string, sess: SessionData, cb?: Callback): void {
    const now = new Date();
    const values = { sid, data: JSON.stringify(sess), expires: this.expiry(sess), now };
    const sql =
      this.db.dialect === "sqlite"
        ? `INSERT INTO sessions (sid, data, expires, created_at, updated_at) VALUES (:sid, :data, :expires, :now, :now)
           ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires = excluded.expires, updated_at = excluded.updated_at`
        : `INSERT INTO sessions (sid, data, expires, created_at, updated_at) VALUES (:sid, :data, :expires, :now, :now)
           ON DUPLICATE KEY UPDATE data = VALUES(data), expires = VALUES(expires), updated_at = VALUES(updated_at)`;
    this.db.sequelize.query(sql, { replacements: values }).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override destroy(sid: string, cb?: Callback): void {
    this.db.sequelize.query("DELETE FROM sessions WHERE sid = :sid", { replacements: { sid } }).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override touch(sid: string, sess: SessionData, cb?: Callback): void {
    this.db.sequelize
      .query("UPDATE sessions SET expires = :expires WHERE sid = :sid", { replacements: { sid, expires: this.expiry(sess) } })
      .then(
        () => cb?.(),
        (err: unknown) => cb?.(err),
      );
  }

  /** Deletes expired sessions; called periodically by the node's housekeeping. */
  async prune(now = new Date()): Promise<void> {
    await this.db.sequelize.query("DELETE FROM sessions WHERE expires < :now", { replacements: { now } });
  }
}
