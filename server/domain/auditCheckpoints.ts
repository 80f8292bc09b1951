// Signed checkpoints of the audit chains' heads, kept outside the database: one JSON line per checkpoint, appended to
// a file per node (DATA_DIR/audit-checkpoints-<node>.log) and copied to the application log. The database side
// (which heads to write, when) is in audit.ts; this file knows the line format, its signature and the files.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, open, readdir } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

export const CHECKPOINT_TYPE = "audit.checkpoint";
const MAC_CONTEXT = "xinyong-audit-checkpoint/v1\n";
const NO_PREVIOUS = "0".repeat(64);
const FILE_PATTERN = /^audit-checkpoints-([A-Za-z0-9_.-]+)\.log$/;
/** Enough of a file's end to hold its last line (a line lists every chain's head: about 120 bytes each). */
const TAIL_BYTES = 1024 * 1024;

export interface ChainAnchor {
  chain: string;
  /** How many entries the chain had (its head's position). */
  seq: number;
  /** The head entry's id. */
  id: number | null;
  hash: string;
}

export interface LegacyAnchor {
  count: number;
  id: number | null;
  hash: string;
}

export interface CheckpointBody {
  v: 1;
  type: typeof CHECKPOINT_TYPE;
  node: string;
  /** 1, 2, 3... within the node's file; prev is the previous line's mac, so a removed or inserted line shows. */
  n: number;
  at: string;
  reason: string;
  /** The key id (not the key) the line is signed with. */
  kid: string;
  total: number;
  legacy: LegacyAnchor;
  chains: ChainAnchor[];
  prev: string;
}

export interface CheckpointLine extends CheckpointBody {
  mac: string;
}

function mac(key: Buffer, body: CheckpointBody): string {
  return createHmac("sha256", key)
    .update(MAC_CONTEXT + JSON.stringify(body))
    .digest("hex");
}

/** Signs a checkpoint body: the mac covers the whole line as written, in its field order. */
export function signCheckpoint(key: Buffer, body: CheckpointBody): CheckpointLine {
  return { ...body, mac: mac(key, body) };
}

/** The file a node appends its checkpoints to. */
export function checkpointFile(dir: string, nodeId: string): string {
  return path.join(dir, `audit-checkpoints-${nodeId}.log`);
}

/** Appends one line (O_APPEND, one write, flushed to disk before the caller goes on). */
export async function appendCheckpointLine(file: string, line: CheckpointLine): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, "a", 0o600);
  try {
    await handle.write(`${JSON.stringify(line)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

function isAnchor(value: unknown): value is ChainAnchor {
  const a = value as ChainAnchor;
  return (
    typeof a === "object" &&
    a !== null &&
    typeof a.chain === "string" &&
    Number.isInteger(a.seq) &&
    (a.id === null || Number.isInteger(a.id)) &&
    typeof a.hash === "string"
  );
}

function asCheckpoint(value: unknown): CheckpointLine | undefined {
  const c = value as CheckpointLine;
  if (typeof c !== "object" || c === null || c.type !== CHECKPOINT_TYPE || c.v !== 1) return undefined;
  const legacy = c.legacy as LegacyAnchor | undefined;
  const ok =
    typeof c.node === "string" &&
    Number.isInteger(c.n) &&
    typeof c.at === "string" &&
    !Number.isNaN(Date.parse(c.at)) &&
    typeof c.kid === "string" &&
    typeof c.prev === "string" &&
    typeof c.mac === "string" &&
    Number.isInteger(c.total) &&
    typeof legacy === "object" &&
    legacy !== null &&
    Number.isInteger(legacy.count) &&
    typeof legacy.hash === "string" &&
    Array.isArray(c.chains) &&
    c.chains.every(isAnchor);
  return ok ? c : undefined;
}

function macMatches(key: Buffer, line: CheckpointLine): boolean {
  const { mac: stated, ...body } = line;
  const expected = Buffer.from(mac(key, body), "hex");
  const given = Buffer.from(stated, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Reads the last line of a node's file whose signature holds (to go on numbering after a restart). */
export async function lastCheckpointLine(file: string, key: Buffer): Promise<CheckpointLine | undefined> {
  if (!existsSync(file)) return undefined;
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString("utf8").split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      const text = lines[i]!.trim();
      if (!text) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        continue;
      }
      const line = asCheckpoint(parsed);
      if (line && macMatches(key, line)) return line;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

export interface CheckpointFileReport {
  file: string;
  /** The node the file belongs to (from its name), when it is a node's own file. */
  node?: string;
  /** Lines whose signature holds, in file order. */
  lines: CheckpointLine[];
  /** Chinese sentences: forged, unreadable or out-of-sequence lines. */
  problems: string[];
}

export interface ReadOptions {
  key: Buffer;
  keyId: string;
  /**
   * A node's own file: every line must be a checkpoint of that node, numbered on from the one before it. Off for
   * other sources (an excerpt of the application log), where other lines are skipped.
   */
  ownFile: boolean;
}

/**
 * Reads a checkpoint file (a node's own file, or an application log whose lines carry `auditCheckpoint`) and checks
 * every line's signature; lines that fail are reported, never used as anchors.
 */
export async function readCheckpointFile(file: string, opts: ReadOptions): Promise<CheckpointFileReport> {
  const name = path.basename(file);
  const node = opts.ownFile ? FILE_PATTERN.exec(name)?.[1] : undefined;
  const report: CheckpointFileReport = { file, node, lines: [], problems: [] };
  if (!existsSync(file)) {
    report.problems.push(`检查点文件 ${file} 不存在`);
    return report;
  }
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNo = 0;
  let previous: CheckpointLine | undefined;
  for await (const raw of lines) {
    lineNo += 1;
    const text = raw.trim();
    if (!text) continue;
    const where = `检查点文件 ${name} 第 ${lineNo} 行`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (opts.ownFile) report.problems.push(`${where}无法解析（文件被改动或损坏）`);
      continue;
    }
    const fromLog = (parsed as { auditCheckpoint?: unknown } | null)?.auditCheckpoint;
    const line = asCheckpoint(fromLog ?? parsed);
    if (!line) {
      if (opts.ownFile) report.problems.push(`${where}不是有效的检查点（文件被改动或损坏）`);
      continue;
    }
    if (line.kid !== opts.keyId) {
      report.problems.push(`${where}由另一密钥（编号 ${line.kid}）签名，当前密钥无法校验，不作为锚点`);
      continue;
    }
    if (!macMatches(opts.key, line)) {
      report.problems.push(`${where}签名无效（检查点被伪造或篡改），不作为锚点`);
      continue;
    }
    if (opts.ownFile) {
      if (node !== undefined && line.node !== node) report.problems.push(`${where}属于节点 ${line.node}，与文件名所示节点 ${node} 不符`);
      const expectedN = (previous?.n ?? 0) + 1;
      const expectedPrev = previous?.mac ?? NO_PREVIOUS;
      if (line.n !== expectedN || line.prev !== expectedPrev)
        report.problems.push(`${where}（第 ${line.n} 个检查点）与前一个检查点不相接（检查点被删除、插入或调换）`);
    }
    report.lines.push(line);
    previous = line;
  }
  return report;
}

/** The node checkpoint files in a directory (each node appends its own). */
export async function listCheckpointFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const names = await readdir(dir);
  return names
    .filter((n) => FILE_PATTERN.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

export { NO_PREVIOUS as FIRST_CHECKPOINT_PREV };
