// The audit log: HMAC-SHA256 hash chains (several per node, so audited writes do not all queue on one head row),
// signed checkpoints of every chain's head kept outside the database, and the verification that uses both.
// Design and what each check catches: docs/accounts.md, "Audit log".
import { createHash, createHmac } from "node:crypto";
import { QueryTypes, type Transaction } from "sequelize";
import { loadConfig, type Config } from "../config.js";
import type { Database } from "../db/database.js";
import { AuditEntry } from "../db/models/AuditEntry.js";
import type { Logger } from "../logger.js";
import {
  appendCheckpointLine,
  CHECKPOINT_TYPE,
  checkpointFile,
  FIRST_CHECKPOINT_PREV,
  lastCheckpointLine,
  listCheckpointFiles,
  readCheckpointFile,
  signCheckpoint,
  type ChainAnchor,
  type CheckpointFileReport,
  type CheckpointLine,
  type LegacyAnchor,
} from "./auditCheckpoints.js";

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
/** The chain written before keyed hashes: plain SHA-256, in id order, its head in audit_head (no longer written). */
export const LEGACY_CHAIN = "legacy";
export const LEGACY_ALG = "sha256";
export const KEYED_ALG = "hmac-sha256";

export interface EntryFields {
  at: Date;
  actor: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  detail: string | null;
  ip: string | null;
}

export interface ChainLink {
  chainId: string;
  seq: number;
  keyId: string;
  prevHash: string;
}

/** What this process audits with: the key, this node's name and where its checkpoints go. */
export interface AuditSettings {
  readonly key: Buffer;
  /** Names the key in every entry and checkpoint without revealing it. */
  readonly keyId: string;
  readonly nodeId: string;
  readonly chainsPerNode: number;
  readonly checkpointDir: string;
  readonly checkpointIntervalMs: number;
}

type AuditConfig = Pick<Config, "auditKey" | "nodeId" | "auditCheckpointDir" | "auditCheckpointIntervalMs" | "auditChainsPerNode">;

/** The key's public name: an HMAC of a fixed text, so entries and checkpoints say which key they need. */
export function auditKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("xinyong-audit-key-id").digest("hex").slice(0, 16);
}

export function auditSettingsFrom(config: AuditConfig): AuditSettings {
  const key = Buffer.from(config.auditKey, "utf8");
  return Object.freeze({
    key,
    keyId: auditKeyId(key),
    nodeId: config.nodeId,
    chainsPerNode: config.auditChainsPerNode,
    checkpointDir: config.auditCheckpointDir,
    checkpointIntervalMs: config.auditCheckpointIntervalMs,
  });
}

let configured: AuditSettings | undefined;

/** Sets the key and node this process audits with; `npm start`, the CLI and the test app call it with their configuration. */
export function configureAudit(config: AuditConfig): AuditSettings {
  configured = auditSettingsFrom(config);
  return configured;
}

/** This process's audit settings; a process that never configured them uses its environment's, as `npm start` would. */
export function auditSettings(): AuditSettings {
  configured ??= auditSettingsFrom(loadConfig());
  return configured;
}

/** The legacy hash of an entry: sha256 over the previous hash and the entry's fields in a fixed order. */
export function entryHash(prevHash: string, e: EntryFields): string {
  const canonical = JSON.stringify([prevHash, e.at.toISOString(), e.actor, e.action, e.entityType, e.entityId, e.detail, e.ip]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** The keyed hash of an entry: HMAC-SHA256 over its place (chain, position, key id, previous hash) and its fields. */
export function keyedEntryHash(key: Buffer, link: ChainLink, e: EntryFields): string {
  const canonical = JSON.stringify([
    "xinyong-audit/v2",
    link.chainId,
    link.seq,
    link.keyId,
    link.prevHash,
    e.at.toISOString(),
    e.actor,
    e.action,
    e.entityType,
    e.entityId,
    e.detail,
    e.ip,
  ]);
  return createHmac("sha256", key).update(canonical).digest("hex");
}

// ---------------------------------------------------------------------------------------------------------------
// Appending

/** Open transactions per chain of this process, so a new appender picks the chain fewest of them hold. */
const inFlight = new Map<string, Set<Transaction>>();
const chainOfTransaction = new WeakMap<Transaction, string>();

function finished(t: Transaction): boolean {
  return Boolean((t as unknown as { finished?: string }).finished);
}

/**
 * The chain an audited transaction appends to: the one it already holds (a transaction holds one head row at most,
 * so two never wait on each other's heads), else this node's least busy. SQLite writes one transaction at a time,
 * so one chain per node is enough there.
 */
function chainFor(db: Database, t: Transaction, s: AuditSettings): string {
  const held = chainOfTransaction.get(t);
  if (held) return held;
  const chains = db.dialect === "sqlite" ? 1 : s.chainsPerNode;
  let best = `${s.nodeId}/0`;
  let bestLoad = Infinity;
  for (let i = 0; i < chains; i++) {
    const chainId = `${s.nodeId}/${i}`;
    const open = inFlight.get(chainId);
    if (open) for (const other of open) if (finished(other)) open.delete(other);
    const load = open?.size ?? 0;
    if (load < bestLoad) {
      best = chainId;
      bestLoad = load;
    }
  }
  let open = inFlight.get(best);
  if (!open) inFlight.set(best, (open = new Set()));
  open.add(t);
  chainOfTransaction.set(t, best);
  return best;
}

async function legacyHeadHash(db: Database, t?: Transaction): Promise<string> {
  const [head] = await db.sequelize.query<{ last_hash: string }>("SELECT last_hash FROM audit_head WHERE id = 1", {
    type: QueryTypes.SELECT,
    transaction: t,
  });
  return head?.last_hash ?? GENESIS_HASH;
}

/** Locks a chain's head row in the caller's transaction, creating it (linked to the legacy chain's end) on first use. */
async function lockChainHead(db: Database, t: Transaction, chainId: string): Promise<{ lastSeq: number; lastHash: string }> {
  const lock = db.dialect === "mysql" ? " FOR UPDATE" : "";
  const select = () =>
    db.sequelize.query<{ last_seq: number | string; last_hash: string }>(
      `SELECT last_seq, last_hash FROM audit_chain_heads WHERE chain_id = :chainId${lock}`,
      { type: QueryTypes.SELECT, transaction: t, replacements: { chainId } },
    );
  let [head] = await select();
  if (!head) {
    // A new chain starts at the legacy chain's end; a chain whose head row went missing goes on from its last entry
    // (refusing would fail every audited write on it; a cut end shows against the checkpoints either way).
    const [last] = await db.sequelize.query<{ id: number | string; seq: number | string; hash: string }>(
      "SELECT id, seq, hash FROM audit_entries WHERE chain_id = :chainId AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
      { type: QueryTypes.SELECT, transaction: t, replacements: { chainId } },
    );
    const insert = db.dialect === "mysql" ? "INSERT IGNORE" : "INSERT OR IGNORE";
    await db.sequelize.query(
      `${insert} INTO audit_chain_heads (chain_id, last_seq, last_id, last_hash, created_at) VALUES (:chainId, :seq, :id, :hash, :now)`,
      {
        transaction: t,
        replacements: {
          chainId,
          seq: last ? Number(last.seq) : 0,
          id: last ? Number(last.id) : null,
          hash: last ? last.hash : await legacyHeadHash(db, t),
          now: new Date(),
        },
      },
    );
    [head] = await select();
    if (!head) throw new Error(`审计链 ${chainId} 的链头无法建立`);
  }
  return { lastSeq: Number(head.last_seq), lastHash: head.last_hash };
}

/** Appends an entry with the given settings (audit() uses this process's); exported for tests that play several nodes. */
export async function appendAuditEntry(db: Database, t: Transaction, input: AuditInput, s: AuditSettings = auditSettings()): Promise<void> {
  const chainId = chainFor(db, t, s);
  const head = await lockChainHead(db, t, chainId);
  const seq = head.lastSeq + 1;
  // Millisecond precision is what both databases keep.
  const at = new Date(Math.floor((input.at ?? new Date()).getTime()));
  const fields: EntryFields = {
    at,
    actor: input.actor,
    action: input.action,
    entityType: input.entityType ?? null,
    entityId: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
    detail: input.detail ? JSON.stringify(input.detail) : null,
    ip: input.ip ?? null,
  };
  const link: ChainLink = { chainId, seq, keyId: s.keyId, prevHash: head.lastHash };
  const hash = keyedEntryHash(s.key, link, fields);
  const entry = await AuditEntry.create({ ...fields, ...link, hashAlg: KEYED_ALG, hash }, { transaction: t });
  await db.sequelize.query("UPDATE audit_chain_heads SET last_seq = :seq, last_id = :id, last_hash = :hash WHERE chain_id = :chainId", {
    replacements: { seq, id: entry.id, hash, chainId },
    transaction: t,
  });
}

/**
 * Appends an entry to the audit log inside the caller's transaction, so it commits with the change it records. The
 * entry goes to one of this node's chains, whose head row the transaction holds until it ends.
 */
export async function audit(db: Database, t: Transaction, input: AuditInput): Promise<void> {
  await appendAuditEntry(db, t, input);
}

// ---------------------------------------------------------------------------------------------------------------
// Checkpoints

interface HeadRow {
  chain_id: string;
  last_seq: number | string;
  last_id: number | string | null;
  last_hash: string;
}

interface Head {
  lastSeq: number;
  lastId: number | null;
  lastHash: string;
}

async function readHeads(db: Database): Promise<Map<string, Head>> {
  const rows = await db.sequelize.query<HeadRow>("SELECT chain_id, last_seq, last_id, last_hash FROM audit_chain_heads", {
    type: QueryTypes.SELECT,
  });
  return new Map(
    rows.map((r) => [
      r.chain_id,
      { lastSeq: Number(r.last_seq), lastId: r.last_id === null ? null : Number(r.last_id), lastHash: r.last_hash },
    ]),
  );
}

/** The legacy chain no longer grows: its summary is read once per database. */
const legacySummaries = new WeakMap<Database, Promise<LegacyAnchor>>();

function legacySummary(db: Database): Promise<LegacyAnchor> {
  let summary = legacySummaries.get(db);
  if (!summary) {
    summary = (async () => {
      const [row] = await db.sequelize.query<{ n: number | string; id: number | string | null }>(
        "SELECT COUNT(*) AS n, MAX(id) AS id FROM audit_entries WHERE chain_id = :legacy",
        { type: QueryTypes.SELECT, replacements: { legacy: LEGACY_CHAIN } },
      );
      return { count: Number(row?.n ?? 0), id: row?.id == null ? null : Number(row.id), hash: await legacyHeadHash(db) };
    })();
    summary.catch(() => legacySummaries.delete(db));
    legacySummaries.set(db, summary);
  }
  return summary;
}

interface WriterState {
  n: number;
  mac: string;
  /** The heads the last line named, to skip a checkpoint when nothing moved. */
  heads: string;
}

/** One queue per checkpoint file in this process, so its lines are numbered one after another. */
const writers = new Map<string, { queue: Promise<unknown>; state?: WriterState }>();

export interface CheckpointOptions {
  settings?: AuditSettings;
  logger?: Logger;
  /** Why it is written: startup, timer, shutdown... */
  reason?: string;
  /** Write even when no head moved since the last checkpoint. */
  force?: boolean;
}

/**
 * Appends a signed checkpoint of every chain's head (all nodes') to this node's checkpoint file and the application
 * log, when a head moved since the node's last checkpoint (or when forced). Runs outside every audited transaction.
 */
export function writeAuditCheckpoint(db: Database, opts: CheckpointOptions = {}): Promise<CheckpointLine | undefined> {
  const s = opts.settings ?? auditSettings();
  const file = checkpointFile(s.checkpointDir, s.nodeId);
  let writer = writers.get(file);
  if (!writer) writers.set(file, (writer = { queue: Promise.resolve() }));
  const w = writer;
  const run = w.queue.then(async () => {
    if (!w.state) {
      const last = await lastCheckpointLine(file, s.key);
      if (last) w.state = { n: last.n, mac: last.mac, heads: JSON.stringify([last.legacy, last.chains]) };
    }
    const legacy = await legacySummary(db);
    const chains: ChainAnchor[] = [...(await readHeads(db))]
      .filter(([, h]) => h.lastSeq > 0)
      .map(([chain, h]) => ({ chain, seq: h.lastSeq, id: h.lastId, hash: h.lastHash }))
      .sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
    const heads = JSON.stringify([legacy, chains]);
    if (!opts.force && w.state?.heads === heads) return undefined;
    const line = signCheckpoint(s.key, {
      v: 1,
      type: CHECKPOINT_TYPE,
      node: s.nodeId,
      n: (w.state?.n ?? 0) + 1,
      at: new Date().toISOString(),
      reason: opts.reason ?? "manual",
      kid: s.keyId,
      total: legacy.count + chains.reduce((sum, c) => sum + c.seq, 0),
      legacy,
      chains,
      prev: w.state?.mac ?? FIRST_CHECKPOINT_PREV,
    });
    await appendCheckpointLine(file, line);
    w.state = { n: line.n, mac: line.mac, heads };
    opts.logger?.info({ auditCheckpoint: line }, "audit checkpoint");
    try {
      await recordMark(db, line);
    } catch (err) {
      opts.logger?.warn({ err }, "audit checkpoint written; recording its mark in the database failed");
    }
    return line;
  });
  w.queue = run.catch(() => undefined);
  return run;
}

/** Notes in the database how far the node's file goes: verify then tells a missing or cut file from a node that never wrote one. */
async function recordMark(db: Database, line: CheckpointLine): Promise<void> {
  await db.transaction(async (t) => {
    const replacements = { node: line.node, n: line.n, mac: line.mac, at: new Date(line.at) };
    const [existing] = await db.sequelize.query("SELECT node_id FROM audit_checkpoint_marks WHERE node_id = :node", {
      type: QueryTypes.SELECT,
      transaction: t,
      replacements,
    });
    await db.sequelize.query(
      existing
        ? "UPDATE audit_checkpoint_marks SET last_n = :n, last_mac = :mac, last_at = :at WHERE node_id = :node"
        : "INSERT INTO audit_checkpoint_marks (node_id, last_n, last_mac, last_at) VALUES (:node, :n, :mac, :at)",
      { transaction: t, replacements },
    );
  });
}

export interface AuditCheckpointer {
  /** Stops the timer and writes a last checkpoint (graceful shutdown). */
  stop(): Promise<void>;
}

/**
 * Checkpoints now, then every interval when some head moved (any node's entries count: each node anchors all
 * chains), and once more on stop. A failed checkpoint is logged; audited writes never wait for one.
 */
export function startAuditCheckpoints(db: Database, logger: Logger, settings: AuditSettings = auditSettings()): AuditCheckpointer {
  const write = (reason: string) =>
    writeAuditCheckpoint(db, { settings, logger, reason }).catch((err: unknown) => {
      logger.error({ err }, "audit checkpoint failed");
      return undefined;
    });
  let running = write("startup");
  const timer = setInterval(() => {
    running = running.then(() => write("timer"));
  }, settings.checkpointIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await write("shutdown");
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Verification

export interface BrokenEntry {
  /** The entry (or, for deleted entries, the head a checkpoint or head row named). */
  id: number;
  /** Chinese: when, which action, where in which chain, and what is wrong. */
  reason: string;
  at?: Date;
  action?: string;
  chainId?: string;
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /** The earliest entry (lowest id) whose chain is broken there, with why. */
  firstBroken?: BrokenEntry;
  /** Every broken chain's first broken entry, earliest first. */
  broken: BrokenEntry[];
  /** Problems with the anchors kept outside the table (forged checkpoint lines, a missing file); each makes ok false. */
  problems: string[];
  /** What the verdict rests on: the latest checkpoint, entries not yet anchored. */
  notes: string[];
  chains: number;
}

export interface VerifyOptions {
  settings?: AuditSettings;
  /** More files holding checkpoint lines: another node's file, or an application log (lines with auditCheckpoint). */
  extraCheckpointFiles?: string[];
  batchSize?: number;
}

/** An audit_entries row as SQL returns it. */
export interface AuditEntryRow {
  id: number | string;
  at: Date | string;
  actor: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
  chain_id: string;
  seq: number | string | null;
  hash_alg: string;
  key_id: string | null;
}

interface Walked {
  id: number;
  at: Date;
  action: string;
  chainId: string;
  seq: number | null;
  hash: string;
}

interface Anchor extends ChainAnchor {
  /** Which checkpoint named it, for messages. */
  from: string;
}

interface Anchors {
  chains: Map<string, Anchor>;
  legacy?: LegacyAnchor & { from: string };
  latest?: CheckpointLine;
  problems: string[];
}

const COLUMNS = "id, at, actor, action, entity_type, entity_id, detail, ip, prev_hash, hash, chain_id, seq, hash_alg, key_id";
const LINK_BROKEN = "与前一条记录的链接不一致（前一条记录被修改或删除）";

/** Dates come back as Date (MySQL) or as the text Sequelize stored ("2026-11-28 10:00:00.123 +00:00", SQLite). */
function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function chinaTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

function fieldsOf(row: AuditEntryRow): EntryFields {
  return {
    at: toDate(row.at),
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    detail: row.detail,
    ip: row.ip,
  };
}

function walked(row: AuditEntryRow): Walked {
  return {
    id: Number(row.id),
    at: toDate(row.at),
    action: row.action,
    chainId: row.chain_id,
    seq: row.seq === null ? null : Number(row.seq),
    hash: row.hash,
  };
}

function brokenAt(e: Walked, why: string): BrokenEntry {
  const place = e.chainId === LEGACY_CHAIN ? "旧版（未加密钥）哈希链" : `链 ${e.chainId} 第 ${e.seq ?? "?"} 条`;
  return { id: e.id, at: e.at, action: e.action, chainId: e.chainId, reason: `${chinaTime(e.at)} 的“${e.action}”（${place}）${why}` };
}

/** Entries at the end of a chain are gone: name the missing head and the last entry still there. */
function missing(chainId: string, id: number | null, last: Walked | undefined, why: string): BrokenEntry {
  const name = chainId === LEGACY_CHAIN ? "旧版（未加密钥）哈希链" : `链 ${chainId} `;
  const survivor = last ? `；最后一条完好的记录为 #${last.id}（${chinaTime(last.at)} 的“${last.action}”）` : "；该链已没有任何记录";
  return { id: id ?? last?.id ?? 0, chainId, reason: `已不在数据库中：${name}${why}${survivor}` };
}

function describeCheckpoint(line: CheckpointLine): string {
  return `节点 ${line.node} 于 ${chinaTime(new Date(line.at))} 写入的第 ${line.n} 个检查点`;
}

/** Reads every checkpoint file of the directory (and any extra sources), checks each line, and keeps per chain the furthest anchor. */
async function readAnchors(db: Database, s: AuditSettings, extra: string[]): Promise<Anchors> {
  const anchors: Anchors = { chains: new Map(), problems: [] };
  const own = await Promise.all(
    (await listCheckpointFiles(s.checkpointDir)).map((f) => readCheckpointFile(f, { key: s.key, keyId: s.keyId, ownFile: true })),
  );
  const others = await Promise.all(extra.map((f) => readCheckpointFile(f, { key: s.key, keyId: s.keyId, ownFile: false })));
  const reports: CheckpointFileReport[] = [...own, ...others];
  for (const report of reports) {
    anchors.problems.push(...report.problems);
    for (const line of report.lines) {
      const from = describeCheckpoint(line);
      if (!anchors.latest || line.at > anchors.latest.at) anchors.latest = line;
      if (!anchors.legacy || line.legacy.count > anchors.legacy.count) anchors.legacy = { ...line.legacy, from };
      for (const c of line.chains) {
        const known = anchors.chains.get(c.chain);
        if (known && known.seq === c.seq && known.hash !== c.hash)
          anchors.problems.push(`${from}与${known.from}对链 ${c.chain} 第 ${c.seq} 条记录的哈希说法不一（持有密钥者写入了两条不同的链）`);
        if (!known || c.seq > known.seq) anchors.chains.set(c.chain, { ...c, from });
      }
    }
  }
  // A node whose file should be here (this node, or one with a file here) but is missing or shorter than the database says.
  const byNode = new Map(own.filter((r) => r.node).map((r) => [r.node!, r]));
  const marks = await db.sequelize.query<{ node_id: string; last_n: number | string; last_mac: string; last_at: Date | string }>(
    "SELECT node_id, last_n, last_mac, last_at FROM audit_checkpoint_marks",
    { type: QueryTypes.SELECT },
  );
  for (const mark of marks) {
    const report = byNode.get(mark.node_id);
    if (mark.node_id !== s.nodeId && !report) continue;
    const n = Number(mark.last_n);
    const said = `数据库记载节点 ${mark.node_id} 已于 ${chinaTime(toDate(mark.last_at))} 写入第 ${n} 个检查点`;
    const last = report?.lines.at(-1);
    if (!report)
      anchors.problems.push(
        `检查点文件缺失：${checkpointFile(s.checkpointDir, mark.node_id)} 不存在，而${said}（文件外的锚点丢失，无法证明最新记录未被删除）`,
      );
    else if (!last || last.n < n)
      anchors.problems.push(`检查点文件 ${report.file} 只到第 ${last?.n ?? 0} 个检查点，而${said}（文件末尾被删除）`);
    else if (last.n === n && last.mac !== mark.last_mac)
      anchors.problems.push(`检查点文件 ${report.file} 的第 ${n} 个检查点与数据库记载的签名不一致`);
  }
  return anchors;
}

interface WalkResult {
  checked: number;
  last?: Walked;
  broken?: BrokenEntry;
}

async function walkLegacy(db: Database, batchSize: number, legacyHead: string, anchor: Anchors["legacy"]): Promise<WalkResult> {
  let prev = GENESIS_HASH;
  let checked = 0;
  let last: Walked | undefined;
  for (;;) {
    const rows = await db.sequelize.query<AuditEntryRow>(
      `SELECT ${COLUMNS} FROM audit_entries WHERE chain_id = :legacy AND id > :after ORDER BY id LIMIT ${batchSize}`,
      { type: QueryTypes.SELECT, replacements: { legacy: LEGACY_CHAIN, after: last?.id ?? 0 } },
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const e = walked(row);
      if (row.hash_alg !== LEGACY_ALG) return { checked, last, broken: brokenAt(e, "的哈希算法标记与所在的旧版链不符（记录被改动）") };
      if (row.prev_hash !== prev) return { checked, last, broken: brokenAt(e, LINK_BROKEN) };
      if (entryHash(prev, fieldsOf(row)) !== row.hash) return { checked, last, broken: brokenAt(e, "的内容与其哈希值不符（记录被修改）") };
      checked += 1;
      if (anchor && checked === anchor.count && (row.hash !== anchor.hash || e.id !== anchor.id))
        return { checked: checked - 1, last, broken: brokenAt(e, `与${anchor.from}记录的旧版链尾不符（记录被替换）`) };
      prev = row.hash;
      last = e;
    }
  }
  if (anchor && checked < anchor.count)
    return {
      checked,
      last,
      broken: missing(
        LEGACY_CHAIN,
        anchor.id,
        last,
        `在${anchor.from}中有 ${anchor.count} 条，数据库中只剩 ${checked} 条（最新记录被删除）`,
      ),
    };
  if (prev !== legacyHead)
    return { checked, last, broken: missing(LEGACY_CHAIN, last?.id ?? null, last, "的链尾与记录的链头不一致（最新记录被删除）") };
  return { checked, last };
}

async function walkChain(
  db: Database,
  s: AuditSettings,
  chainId: string,
  batchSize: number,
  firstPrev: string,
  anchor: Anchor | undefined,
): Promise<WalkResult> {
  let prev = firstPrev;
  let expected = 1;
  let checked = 0;
  let last: Walked | undefined;
  for (;;) {
    const rows = await db.sequelize.query<AuditEntryRow>(
      `SELECT ${COLUMNS} FROM audit_entries WHERE chain_id = :chainId AND seq >= :from ORDER BY seq LIMIT ${batchSize}`,
      { type: QueryTypes.SELECT, replacements: { chainId, from: expected } },
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const e = walked(row);
      const fail = (why: string): WalkResult => ({ checked, last, broken: brokenAt(e, why) });
      if (e.seq !== expected) return fail(`之前的第 ${expected}${e.seq! - 1 > expected ? `–${e.seq! - 1}` : ""} 条记录缺失（记录被删除）`);
      if (row.hash_alg !== KEYED_ALG) return fail("的哈希算法标记被改动（带密钥的记录不能按其他算法校验）");
      if (row.prev_hash !== prev)
        return fail(expected === 1 ? "所链接的旧版审计链链尾与数据库中的不一致（旧版记录被删除或改动）" : LINK_BROKEN);
      if (row.key_id !== s.keyId)
        return fail(`由另一密钥（编号 ${row.key_id ?? "无"}）写入，当前密钥无法校验（记录被伪造，或写入它的节点配置了不同的 AUDIT_KEY）`);
      const link: ChainLink = { chainId, seq: expected, keyId: s.keyId, prevHash: prev };
      if (keyedEntryHash(s.key, link, fieldsOf(row)) !== row.hash)
        return fail("的内容与其带密钥的哈希值不符（记录被修改，或不知密钥者重新计算了哈希链）");
      if (anchor && expected === anchor.seq && (row.hash !== anchor.hash || (anchor.id !== null && e.id !== anchor.id)))
        return fail(`与${anchor.from}记录的链头不符（记录被替换）`);
      checked += 1;
      expected += 1;
      prev = row.hash;
      last = e;
    }
  }
  return { checked, last };
}

async function entryAt(db: Database, chainId: string, seq: number): Promise<Walked | undefined> {
  const [row] = await db.sequelize.query<AuditEntryRow>(`SELECT ${COLUMNS} FROM audit_entries WHERE chain_id = :chainId AND seq = :seq`, {
    type: QueryTypes.SELECT,
    replacements: { chainId, seq },
  });
  return row ? walked(row) : undefined;
}

/** Compares a walked chain with its head row (read before and after the walk: entries may commit meanwhile) and its furthest checkpoint. */
async function checkChainEnd(
  db: Database,
  chainId: string,
  walk: WalkResult,
  before: Head | undefined,
  after: Head | undefined,
  anchor: Anchor | undefined,
): Promise<BrokenEntry | undefined> {
  const last = walk.last;
  const seq = last?.seq ?? 0;
  if (before && seq < before.lastSeq)
    return missing(chainId, before.lastId, last, `的链头记录有 ${before.lastSeq} 条，数据库中只剩 ${seq} 条（最新记录被删除）`);
  if (!after) {
    if (last) return brokenAt(last, "所在链的链头记录缺失（链头被删除）");
  } else if (seq > after.lastSeq) {
    const first = await entryAt(db, chainId, after.lastSeq + 1);
    return brokenAt(first ?? last!, `位于链头（第 ${after.lastSeq} 条）之后（记录被插入，或链头被改回）`);
  } else if (seq === after.lastSeq && last && last.hash !== after.lastHash) {
    return brokenAt(last, "与链头记录的哈希不一致（链头或记录被改动）");
  }
  if (anchor && seq < anchor.seq)
    return missing(
      chainId,
      anchor.id,
      last,
      `在${anchor.from}中有 ${anchor.seq} 条、链头为 #${anchor.id ?? "?"}，数据库中只剩 ${seq} 条（最新记录被删除，链头也被改回）`,
    );
  return undefined;
}

/**
 * Verifies the whole audit log: the legacy chain, every keyed chain (positions, links, key and HMAC of each entry,
 * its end against its head row), every chain's end against the furthest signed checkpoint outside the database, and
 * the checkpoint files themselves. Names the earliest broken entry; checkpoint problems are listed apart.
 */
export async function verifyAuditChain(db: Database, options: VerifyOptions = {}): Promise<ChainVerdict> {
  const s = options.settings ?? auditSettings();
  const batchSize = options.batchSize ?? 2000;
  const anchors = await readAnchors(db, s, options.extraCheckpointFiles ?? []);
  const headsBefore = await readHeads(db);
  const legacyHead = await legacyHeadHash(db);
  const broken: BrokenEntry[] = [];
  let checked = 0;
  let unanchored = 0;

  const legacy = await walkLegacy(db, batchSize, legacyHead, anchors.legacy);
  checked += legacy.checked;
  if (legacy.broken) broken.push(legacy.broken);
  else unanchored += legacy.checked - (anchors.legacy?.count ?? 0);

  const present = await db.sequelize.query<{ chain_id: string }>("SELECT DISTINCT chain_id FROM audit_entries WHERE chain_id <> :legacy", {
    type: QueryTypes.SELECT,
    replacements: { legacy: LEGACY_CHAIN },
  });
  const chainIds = [...new Set([...present.map((r) => r.chain_id), ...headsBefore.keys(), ...anchors.chains.keys()])]
    .filter((c) => c !== LEGACY_CHAIN)
    .sort();
  const walks = new Map<string, WalkResult>();
  for (const chainId of chainIds) {
    const walk = await walkChain(db, s, chainId, batchSize, legacyHead, anchors.chains.get(chainId));
    checked += walk.checked;
    walks.set(chainId, walk);
  }
  const headsAfter = await readHeads(db);
  for (const [chainId, walk] of walks) {
    const anchor = anchors.chains.get(chainId);
    const end = walk.broken ?? (await checkChainEnd(db, chainId, walk, headsBefore.get(chainId), headsAfter.get(chainId), anchor));
    if (end) broken.push(end);
    else unanchored += Math.max(0, (walk.last?.seq ?? 0) - (anchor?.seq ?? 0));
  }

  const [orphan] = await db.sequelize.query<AuditEntryRow>(
    `SELECT ${COLUMNS} FROM audit_entries WHERE chain_id <> :legacy AND seq IS NULL ORDER BY id LIMIT 1`,
    { type: QueryTypes.SELECT, replacements: { legacy: LEGACY_CHAIN } },
  );
  if (orphan) broken.push(brokenAt(walked(orphan), "不在所属链的任何位置上（记录被插入）"));

  broken.sort((a, b) => a.id - b.id);
  const notes: string[] = [];
  if (anchors.latest) {
    notes.push(`最新的检查点：${describeCheckpoint(anchors.latest)}，锚定 ${anchors.latest.total} 条记录。`);
    if (unanchored > 0) notes.push(`${unanchored} 条记录写于最新检查点之后，尚未锚定（下一个检查点写入后即受保护）。`);
  } else if (checked > 0) {
    notes.push("尚无检查点：删除最新的记录并改回链头，要等写入第一个检查点之后才能发现（服务运行时定时写入）。");
  }
  return {
    ok: broken.length === 0 && anchors.problems.length === 0,
    checked,
    firstBroken: broken[0],
    broken,
    problems: anchors.problems,
    notes,
    chains: chainIds.length + (legacy.checked > 0 ? 1 : 0),
  };
}
