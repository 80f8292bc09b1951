// The 双随机 draw as a pure function of its recorded inputs: anyone holding the seed, the frozen candidate list and
// the recorded settings repeats it byte for byte (docs/supervision.md, "抽取算法", describes it for reimplementation).
// No database, no clock, no Math.random: server/cli/draw-verify.ts and the tests call exactly this code.
import { createHash } from "node:crypto";

export const ALGORITHM = "sha256-ctr-v1";
export const GRADES = ["A", "B", "C", "D"] as const;
export type DrawGrade = (typeof GRADES)[number];

export interface Candidate {
  subjectId: number;
  code: string;
  grade: DrawGrade;
}

export type Ratios = Record<DrawGrade, number>;

/** Everything besides seed and candidates that the draw depends on; recorded with the draw (result_json.inputs). */
export interface DrawInputs {
  ratios: Ratios;
  inspectorsPerTarget: number;
  /** Usernames of the department's inspector pool. */
  inspectorPool: string[];
  /** subjectId -> usernames recused from that subject. */
  recusals: Record<string, string[]>;
  /** subjectId -> the inspectors of the subject's latest previous drawn target. */
  previousInspectors: Record<string, string[]>;
}

export interface DrawnTarget {
  subjectId: number;
  code: string;
  grade: DrawGrade;
  inspectors: string[];
}

export interface DrawOutcome {
  algorithm: typeof ALGORITHM;
  perClass: Record<DrawGrade, { candidates: number; drawn: number }>;
  targets: DrawnTarget[];
}

/** A draw that cannot be made as configured (a Chinese sentence naming what to change). */
export class DrawImpossible extends Error {
  constructor(
    message: string,
    readonly subjectId?: number,
  ) {
    super(message);
    this.name = "DrawImpossible";
  }
}

const gradeRank = (g: string) => GRADES.indexOf(g as DrawGrade);

/** Candidates in canonical order: ascending subject id, each as {subjectId, code, grade} and nothing else. */
export function canonicalCandidates(list: ReadonlyArray<Candidate>): Candidate[] {
  const out = list.map((c) => ({ subjectId: c.subjectId, code: c.code, grade: c.grade }));
  out.sort((a, b) => a.subjectId - b.subjectId);
  for (let i = 1; i < out.length; i++)
    if (out[i]!.subjectId === out[i - 1]!.subjectId) throw new DrawImpossible(`候选名单中主体 #${out[i]!.subjectId} 重复`);
  for (const c of out)
    if (gradeRank(c.grade) < 0) throw new DrawImpossible(`候选名单中主体 #${c.subjectId} 的分类“${String(c.grade)}”不是 A-D`);
  return out;
}

/** The canonical JSON of a candidate list (compact, keys in the order subjectId, code, grade). */
export function candidatesJson(list: ReadonlyArray<Candidate>): string {
  return JSON.stringify(canonicalCandidates(list));
}

/** SHA-256 (hex) of the canonical JSON's UTF-8 bytes: the published fingerprint of the frozen list. */
export function candidatesHash(list: ReadonlyArray<Candidate>): string {
  return createHash("sha256").update(candidatesJson(list), "utf8").digest("hex");
}

/**
 * The random stream: block n = SHA-256(seed bytes || n as 8-byte big-endian), n = 0, 1, 2, ...; each 32-byte block
 * gives eight unsigned 32-bit big-endian numbers, used in order.
 */
export class Sha256CounterStream {
  private readonly input: Buffer;
  private counter = 0n;
  private block: Buffer = Buffer.alloc(0);
  private offset = 32;
  /** How many uint32 values were consumed (reported, so a reimplementation can compare progress). */
  used = 0;

  constructor(seedHex: string) {
    if (!/^[0-9a-f]{64}$/.test(seedHex)) throw new DrawImpossible("种子应为 64 位小写十六进制（32 字节）");
    // seed (32 bytes) || counter (8 bytes), the counter rewritten in place for each block.
    this.input = Buffer.alloc(40);
    Buffer.from(seedHex, "hex").copy(this.input, 0);
  }

  nextUint32(): number {
    if (this.offset >= 32) {
      this.input.writeBigUInt64BE(this.counter++, 32);
      this.block = createHash("sha256").update(this.input).digest();
      this.offset = 0;
    }
    const v = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    this.used++;
    return v;
  }

  /** A uniform integer in [0, n) by rejection: values at or above the largest multiple of n below 2^32 are skipped. */
  uniformInt(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 0x1_0000_0000) throw new RangeError(`uniformInt(${n})`);
    const limit = Math.floor(0x1_0000_0000 / n) * n;
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }
}

/** A ratio kept to 0.01 % (an integer count of 1/10000). */
export function ratioPermyriad(ratio: number): number {
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new DrawImpossible(`抽查比例应在 0 到 100% 之间（收到 ${ratio}）`);
  return Math.round(ratio * 10_000);
}

/** How many of `count` candidates a class draws: round half up of ratio × count, in integers (floor((r·n + 5000) / 10000)). */
export function quota(ratio: number, count: number): number {
  return Math.floor((ratioPermyriad(ratio) * count + 5000) / 10_000);
}

/** The first k elements of a seeded partial Fisher-Yates shuffle: for i < k swap item i with item i + uniformInt(n - i). */
export function sampleWithoutReplacement<T>(stream: Sha256CounterStream, items: ReadonlyArray<T>, k: number): T[] {
  const a = items.slice();
  const n = a.length;
  if (k > n) throw new RangeError("k > n");
  for (let i = 0; i < k; i++) {
    const j = i + stream.uniformInt(n - i);
    const tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
  return a.slice(0, k);
}

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
};

// Redraws of a pair that repeats the previous one: each redraw repeats with probability at most 1/2, so 64 failures
// in a row means the rule cannot be met (it is checked beforehand; this bounds the loop whatever happens).
const MAX_REDRAWS = 64;

/** Codepoint order, the same in every language (not localeCompare). */
const byCodepoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Runs the draw: per class A, B, C, D (in that order) the class's candidates in list order, quota(ratio, count) of
 * them by partial Fisher-Yates; then for each target in that order, the inspectors from the pool (sorted by
 * username, recused ones removed) by partial Fisher-Yates on the same stream, redrawn while the set equals the
 * subject's previous set. Throws DrawImpossible (naming the subject) when a target cannot be staffed.
 */
export function runDraw(
  seedHex: string,
  candidateList: ReadonlyArray<Candidate>,
  inputs: DrawInputs,
  names?: Map<number, string>,
): DrawOutcome {
  const candidates = canonicalCandidates(candidateList);
  const m = inputs.inspectorsPerTarget;
  if (!Number.isInteger(m) || m < 1 || m > 10) throw new DrawImpossible("每个对象的检查人员数应为 1-10 人");
  const pool = [...new Set(inputs.inspectorPool)].sort(byCodepoint);
  const stream = new Sha256CounterStream(seedHex);
  const perClass = {} as DrawOutcome["perClass"];
  const chosen: Candidate[] = [];
  for (const g of GRADES) {
    const members = candidates.filter((c) => c.grade === g);
    const k = quota(inputs.ratios[g] ?? 0, members.length);
    perClass[g] = { candidates: members.length, drawn: k };
    chosen.push(...sampleWithoutReplacement(stream, members, k));
  }
  const label = (c: Candidate) => `“${names?.get(c.subjectId) ?? c.code}”（${c.code}）`;
  const targets: DrawnTarget[] = [];
  for (const c of chosen) {
    const recused = new Set(inputs.recusals[String(c.subjectId)] ?? []);
    const eligible = pool.filter((u) => !recused.has(u));
    const previous = inputs.previousInspectors[String(c.subjectId)] ?? [];
    if (eligible.length < m)
      throw new DrawImpossible(
        `无法为检查对象${label(c)}选派 ${m} 名检查人员：执法检查人员名录库中可选派（未回避）的只有 ${eligible.length} 人。请补充检查人员或调整回避名单。`,
        c.subjectId,
      );
    if (eligible.length === m && sameSet(eligible, previous))
      throw new DrawImpossible(
        `无法为检查对象${label(c)}选派检查人员：可选派的 ${m} 人与该对象上一次抽取的检查人员组合完全相同，不得连续两次由同一组人员检查。请补充检查人员。`,
        c.subjectId,
      );
    let inspectors = sampleWithoutReplacement(stream, eligible, m);
    for (let tries = 0; previous.length > 0 && sameSet(inspectors, previous); tries++) {
      if (tries >= MAX_REDRAWS) throw new DrawImpossible(`无法为检查对象${label(c)}选派与上次不同的检查人员组合`, c.subjectId);
      inspectors = sampleWithoutReplacement(stream, eligible, m);
    }
    targets.push({ subjectId: c.subjectId, code: c.code, grade: c.grade, inspectors });
  }
  return { algorithm: ALGORITHM, perClass, targets };
}

/** A fresh seed: 32 bytes from the operating system's CSPRNG, as lowercase hex. */
export function newSeed(randomBytes: (n: number) => Buffer): string {
  return randomBytes(32).toString("hex");
}
