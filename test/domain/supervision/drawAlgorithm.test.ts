import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  candidatesHash,
  candidatesJson,
  DrawImpossible,
  GRADES,
  quota,
  runDraw,
  sampleWithoutReplacement,
  Sha256CounterStream,
  type Candidate,
  type DrawGrade,
  type DrawInputs,
} from "../../../server/domain/supervision/drawAlgorithm.js";

// Seeds derived from a label, so every run of these tests sees the same draws (no flaky statistics).
const seedOf = (label: string | number) => createHash("sha256").update(`test-seed-${label}`).digest("hex");

/** 99.9% two-sided bounds of a Binomial(n, p) count (normal approximation, z = 3.2905), widened by 1 for rounding. */
function binomialBounds(n: number, p: number): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [Math.floor(n * p - 3.2905 * sd) - 1, Math.ceil(n * p + 3.2905 * sd) + 1];
}

function syntheticCandidates(n: number, gradeOf: (i: number) => DrawGrade): Candidate[] {
  return Array.from({ length: n }, (_, i) => ({
    subjectId: 1000 + i * 3,
    code: `91410182${String(i).padStart(10, "0")}`,
    grade: gradeOf(i),
  }));
}

const pool = (n: number) => Array.from({ length: n }, (_, i) => `insp${String(i).padStart(2, "0")}`);

const baseInputs = (over: Partial<DrawInputs> = {}): DrawInputs => ({
  ratios: { A: 0, B: 0.05, C: 0.2, D: 0.6 },
  inspectorsPerTarget: 2,
  inspectorPool: pool(8),
  recusals: {},
  previousInspectors: {},
  ...over,
});

describe("双随机 draw algorithm (sha256-ctr-v1)", () => {
  it("the stream is SHA-256(seed || 8-byte big-endian counter) read as big-endian uint32s", () => {
    const seed = seedOf("stream");
    const s = new Sha256CounterStream(seed);
    const values = Array.from({ length: 9 }, () => s.nextUint32());
    const block = (n: number) => {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(BigInt(n));
      return createHash("sha256").update(Buffer.from(seed, "hex")).update(c).digest();
    };
    const b0 = block(0);
    for (let i = 0; i < 8; i++) assert.equal(values[i], b0.readUInt32BE(i * 4));
    assert.equal(values[8], block(1).readUInt32BE(0));
    assert.throws(() => new Sha256CounterStream("ABC"), DrawImpossible);
  });

  it("uniform integers stay in range and reject values above the largest multiple of n", () => {
    const s = new Sha256CounterStream(seedOf("uniform"));
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[s.uniformInt(7)]!++;
    const [lo, hi] = binomialBounds(70_000, 1 / 7);
    for (const c of counts) assert.ok(c >= lo && c <= hi, `count ${c} outside [${lo}, ${hi}]`);
    assert.equal(new Sha256CounterStream(seedOf("x")).uniformInt(1), 0);
  });

  it("rounds each class's quota half up in integers (documented rounding)", () => {
    assert.equal(quota(0.05, 10), 1); // 0.5 -> 1
    assert.equal(quota(0.05, 9), 0); // 0.45 -> 0
    assert.equal(quota(0.125, 4), 1); // 0.5 -> 1
    assert.equal(quota(0.2, 7), 1); // 1.4 -> 1
    assert.equal(quota(0.6, 3), 2); // 1.8 -> 2
    assert.equal(quota(0, 1000), 0);
    assert.equal(quota(1, 13), 13);
    assert.equal(quota(0.1, 3), 0); // 0.3 -> 0 (no float surprise: 1000 * 3 + 5000 < 10000)
    assert.equal(quota(0.15, 10), 2); // 1.5 -> 2 although 0.15 * 10 is 1.4999999999999998 in floating point
  });

  it("the same seed and candidate list give the same draw (golden result)", () => {
    const candidates = syntheticCandidates(200, (i) => GRADES[i % 4]!);
    const a = runDraw(seedOf("golden"), candidates, baseInputs());
    const b = runDraw(seedOf("golden"), [...candidates].reverse(), baseInputs());
    assert.deepEqual(a, b, "the list is put in canonical order first");
    // Pinned: a change of algorithm must change ALGORITHM, never silently change old draws.
    assert.equal(createHash("sha256").update(JSON.stringify(a)).digest("hex"), GOLDEN_RESULT_HASH);
    assert.equal(candidatesHash(candidates), createHash("sha256").update(candidatesJson(candidates)).digest("hex"));
    assert.equal(candidatesJson(candidates.slice(0, 1)), '[{"subjectId":1000,"code":"914101820000000000","grade":"A"}]');
    assert.notDeepEqual(runDraw(seedOf("golden2"), candidates, baseInputs()).targets, a.targets);
  });

  it("over 10,000 subjects the share drawn per class matches its ratio, uniformly inside the class", () => {
    // Classes roughly as a county has them: 10% A, 60% B, 25% C, 5% D.
    const gradeOf = (i: number): DrawGrade => {
      const r = createHash("sha256").update(`g${i}`).digest().readUInt32BE(0) / 2 ** 32;
      return r < 0.1 ? "A" : r < 0.7 ? "B" : r < 0.95 ? "C" : "D";
    };
    const candidates = syntheticCandidates(10_000, gradeOf);
    const ratios = { A: 0.03, B: 0.05, C: 0.2, D: 0.6 };
    const outcome = runDraw(seedOf("10k"), candidates, baseInputs({ ratios, inspectorPool: pool(30) }));
    for (const g of GRADES) {
      const members = candidates.filter((c) => c.grade === g);
      const drawn = outcome.targets.filter((x) => x.grade === g);
      assert.equal(outcome.perClass[g].candidates, members.length);
      assert.equal(drawn.length, outcome.perClass[g].drawn);
      const [lo, hi] = binomialBounds(members.length, ratios[g]);
      assert.ok(drawn.length >= lo && drawn.length <= hi, `${g}: ${drawn.length} of ${members.length}`);
      // Inside the class the draw does not favour low ids: the drawn share of the lower half is binomial.
      const lowerHalf = new Set(members.slice(0, Math.floor(members.length / 2)).map((c) => c.subjectId));
      const fromLower = drawn.filter((x) => lowerHalf.has(x.subjectId)).length;
      const [l2, h2] = binomialBounds(drawn.length, lowerHalf.size / members.length);
      assert.ok(fromLower >= l2 && fromLower <= h2, `${g}: ${fromLower} of ${drawn.length} from the lower half`);
    }
    assert.equal(new Set(outcome.targets.map((x) => x.subjectId)).size, outcome.targets.length, "no subject twice");
  });

  it("over many seeds every candidate is drawn as often as the ratio says (binomial 99.9%)", () => {
    const candidates = syntheticCandidates(40, () => "C");
    const seeds = 1500;
    const hits = new Map<number, number>();
    const inspectorHits = new Map<string, number>();
    for (let s = 0; s < seeds; s++) {
      const out = runDraw(seedOf(`many-${s}`), candidates, baseInputs({ ratios: { A: 0, B: 0, C: 0.25, D: 0 }, inspectorPool: pool(5) }));
      assert.equal(out.targets.length, 10);
      for (const x of out.targets) {
        hits.set(x.subjectId, (hits.get(x.subjectId) ?? 0) + 1);
        for (const u of x.inspectors) inspectorHits.set(u, (inspectorHits.get(u) ?? 0) + 1);
      }
    }
    const [lo, hi] = binomialBounds(seeds, 0.25);
    for (const c of candidates) {
      const n = hits.get(c.subjectId) ?? 0;
      assert.ok(n >= lo && n <= hi, `subject ${c.subjectId} drawn ${n} times of ${seeds}, bounds [${lo}, ${hi}]`);
    }
    // Each of 5 inspectors is in a pair of 2 with probability 2/5, for 10 targets a draw.
    const [li, hiI] = binomialBounds(seeds * 10, 2 / 5);
    for (const u of pool(5)) {
      const n = inspectorHits.get(u) ?? 0;
      assert.ok(n >= li && n <= hiI, `${u}: ${n}`);
    }
  });

  it("never draws an inspector for a subject on their recusal list", () => {
    const candidates = syntheticCandidates(300, (i) => GRADES[i % 4]!);
    const inspectors = pool(6);
    for (let s = 0; s < 200; s++) {
      const recusals: Record<string, string[]> = {};
      for (const c of candidates) {
        const r = createHash("sha256").update(`rec-${s}-${c.subjectId}`).digest();
        // Up to 4 of the 6 recused, so at least 2 remain.
        recusals[String(c.subjectId)] = inspectors.filter((_, i) => i < 4 && r[i]! < 128);
      }
      const out = runDraw(
        seedOf(`rec-${s}`),
        candidates,
        baseInputs({ inspectorPool: inspectors, recusals, ratios: { A: 0.1, B: 0.2, C: 0.3, D: 0.5 } }),
      );
      for (const x of out.targets) {
        for (const u of x.inspectors) assert.ok(!recusals[String(x.subjectId)]!.includes(u), `${u} recused from ${x.subjectId}`);
        assert.equal(new Set(x.inspectors).size, 2);
      }
    }
  });

  it("never repeats a subject's previous pair, over a chain of draws", () => {
    const candidates = syntheticCandidates(30, () => "D");
    let previous: Record<string, string[]> = {};
    for (let round = 0; round < 300; round++) {
      // A pool of 3 makes a repeat likely (1 in 3) without the rule.
      const out = runDraw(
        seedOf(`pairs-${round}`),
        candidates,
        baseInputs({ inspectorPool: pool(3), previousInspectors: previous, ratios: { A: 0, B: 0, C: 0, D: 1 } }),
      );
      const next: Record<string, string[]> = {};
      for (const x of out.targets) {
        const before = previous[String(x.subjectId)];
        if (before) assert.notDeepEqual([...x.inspectors].sort(), [...before].sort(), `round ${round}, subject ${x.subjectId}`);
        next[String(x.subjectId)] = x.inspectors;
      }
      previous = next;
    }
  });

  it("refuses in Chinese, naming the subject, when a target cannot be staffed", () => {
    const candidates = syntheticCandidates(5, () => "D");
    const id = String(candidates[2]!.subjectId);
    const names = new Map([[candidates[2]!.subjectId, "荥阳市回避测试有限公司"]]);
    const recused = { [id]: ["insp00", "insp01"] };
    assert.throws(
      () =>
        runDraw(
          seedOf("x"),
          candidates,
          baseInputs({ inspectorPool: pool(3), recusals: recused, ratios: { A: 0, B: 0, C: 0, D: 1 } }),
          names,
        ),
      (err: unknown) => err instanceof DrawImpossible && /荥阳市回避测试有限公司/.test(err.message) && /只有 1 人/.test(err.message),
    );
    const prev = { [id]: ["insp00", "insp01"] };
    assert.throws(
      () =>
        runDraw(
          seedOf("x"),
          candidates,
          baseInputs({ inspectorPool: pool(2), previousInspectors: prev, ratios: { A: 0, B: 0, C: 0, D: 1 } }),
          names,
        ),
      (err: unknown) => err instanceof DrawImpossible && /荥阳市回避测试有限公司/.test(err.message) && /同一组人员/.test(err.message),
    );
  });

  it("partial Fisher-Yates takes k distinct items", () => {
    const s = new Sha256CounterStream(seedOf("fy"));
    const out = sampleWithoutReplacement(s, [1, 2, 3, 4, 5], 5);
    assert.deepEqual([...out].sort(), [1, 2, 3, 4, 5]);
  });
});

const GOLDEN_RESULT_HASH = "d37192e8a21a27cc7e29b95369c667f9c02e27af5176695c1d820eed00fd22fa";
