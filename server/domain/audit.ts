import { createHash } from "node:crypto";
import { Op, QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { AuditEntry } from "../db/models/AuditEntry.js";

export interface AuditInput {
  actor: string | null;
  action: string;
  entityType?: string | null;
  entityId?: string | number | null;
  detail?: Record<string, unknown> | null;
  ip?: string | null;
  at?: Date;
}

export const GENESIS_HASH = "0".repeat(64);

/** The hash of an entry: sha256 over the previous hash and the entry's fields in a fixed order. */
export function entryHash(
  prevHash: string,
  e: {
    at: Date;
    actor: string | null;
    action: string;
    entityType: string | null;
    entityId: string | null;
    detail: string | null;
    ip: string | null;
  },
): string {
  const canonical = JSON.stringify([prevHash, e.at.toISOString(), e.actor, e.action, e.entityType, e.entityId, e.detail, e.ip]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Appends an entry to the hash-chained audit log inside the caller's transaction. The chain's
 * head row is locked so concurrent appenders form one line; the entry commits with the change it records.
 */
export async function audit(db: Database, t: Transaction, input: AuditInput): Promise<void> {
  const lock = db.dialect === "mysql" ? " FOR UPDATE" : "";
  const [head] = await db.sequelize.query<{ last_hash: string }>(`SELECT last_hash FROM audit_head WHERE id = 1${lock}`, {
    type: QueryTypes.SELECT,
    transaction: t,
  });
  const prevHash = head?.last_hash ?? GENESIS_HASH;
  // Millisecond precision is what both databases keep.
  const at = new Date(Math.floor((input.at ?? new Date()).getTime()));
  const fields = {
    at,
    actor: input.actor,
    action: input.action,
    entityType: input.entityType ?? null,
    entityId: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
    detail: input.detail ? JSON.stringify(input.detail) : null,
    ip: input.ip ?? null,
  };
  const hash = entryHash(prevHash, fields);
  const entry = await AuditEntry.create({ ...fields, prevHash, hash }, { transaction: t });
  await db.sequelize.query("UPDATE audit_head SET last_hash = :hash, last_id = :id WHERE id = 1", {
    replacements: { hash, id: entry.id },
    transaction: t,
  });
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /** The first entry whose stored hash or link does not match, with why. */
  firstBroken?: { id: number; reason: string };
}

/** Walks the whole chain in id order and names the first entry that was altered, removed or reordered. */
export async function verifyAuditChain(db: Database, batchSize = 2000): Promise<ChainVerdict> {
  let prev = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await AuditEntry.findAll({
      where: { id: { [Op.gt]: lastId } },
      order: [["id", "ASC"]],
      limit: batchSize,
      raw: true,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.prevHash !== prev)
        return { ok: false, checked, firstBroken: { id: Number(row.id), reason: "与前一条记录的链接不一致（前一条记录被修改或删除）" } };
      const expected = entryHash(prev, { ...row, at: new Date(row.at) });
      if (expected !== row.hash)
        return { ok: false, checked, firstBroken: { id: Number(row.id), reason: "记录内容与其哈希值不符（记录被修改）" } };
      prev = row.hash;
      lastId = Number(row.id);
      checked += 1;
    }
  }
  const [head] = await db.sequelize.query<{ last_hash: string }>("SELECT last_hash FROM audit_head WHERE id = 1", {
    type: QueryTypes.SELECT,
  });
  if (head && head.last_hash !== prev)
    return { ok: false, checked, firstBroken: { id: lastId, reason: "链尾与记录的链头不一致（最新记录被删除）" } };
  return { ok: true, checked };
}
