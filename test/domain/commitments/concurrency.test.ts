import assert from "node:assert/strict";
import { Op } from "sequelize";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { EngineInstance } from "../../../server/db/models/EngineInstance.js";
import { EngineTask } from "../../../server/db/models/EngineTask.js";
import { createCatalogItem, publishCatalogItem } from "../../../server/domain/catalog/catalogCommands.js";
import { nextCommitmentCode, parseCommitmentCode } from "../../../server/domain/commitments/numbering.js";
import { submitCommitment } from "../../../server/domain/commitments/submitCommitment.js";
import { buildSubject, buildUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedForm, currentUserOf, ensureShippedForms, GOOD_DATA, itemFields, randomItemCode, SIGNATURE } from "./fixtures.js";

describe("承诺编码 under concurrency", () => {
  before(ensureShippedForms);

  it("200 concurrent submissions give 200 distinct codes, 200 process instances and 200 review tasks", async function () {
    this.timeout(300_000);
    const ctx = testApp().app.locals.context;
    const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
    const admin = await currentUserOf((await buildUser({ roles: ["admin"], department: "fgw" })).id);
    const formKey = await buildPublishedForm();
    const itemCode = randomItemCode();
    await createCatalogItem(deps, { actor: admin, itemCode, departmentCode: "scjgj", fields: itemFields(formKey) });
    await publishCatalogItem(deps, { actor: admin, itemCode });
    // One subject may hold several open cases of one item (one per shop); use five subjects to mix both.
    const subjects = await Promise.all([1, 2, 3, 4, 5].map(() => buildSubject()));
    const applicant = await currentUserOf((await buildUser({ roles: ["applicant"], subjectIds: subjects.map((s) => s.id) })).id);

    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        submitCommitment(deps, {
          actor: applicant,
          itemCode,
          subjectCode: subjects[i % 5]!.code,
          data: { ...GOOD_DATA, area: i + 1 },
          signature: SIGNATURE,
        }),
      ),
    );
    const failures = results.filter((r) => r.status === "rejected");
    assert.equal(
      failures.length,
      0,
      `failed: ${failures
        .map((f) => String(f.reason))
        .slice(0, 3)
        .join("; ")}`,
    );
    const codes = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof submitCommitment>>>).value.commitment.code);
    assert.equal(new Set(codes).size, 200, "every 承诺编码 is distinct");
    for (const code of codes) {
      assert.equal(code.length, 20);
      assert.ok(parseCommitmentCode(code));
    }
    const stored = await Commitment.findAll({ where: { subjectId: { [Op.in]: subjects.map((s) => s.id) } } });
    assert.equal(stored.length, 200);
    assert.ok(stored.every((c) => c.processInstanceId));
    const instances = await EngineInstance.count({ where: { businessKey: codes } });
    assert.equal(instances, 200, "one process instance per commitment");
    const tasks = await EngineTask.count({ where: { businessKey: codes } });
    assert.equal(tasks, 200, "one open review task per commitment");
  });

  it("numbers each (division, day) from 000001 and keeps days apart", async () => {
    const { db } = testApp();
    // A division code no real case uses, so the serials are this test's own.
    const division = String(100000 + Math.floor(Math.random() * 800000));
    const a = await db.transaction((t) => nextCommitmentCode(db, t, division, "20310101"));
    const b = await db.transaction((t) => nextCommitmentCode(db, t, division, "20310101"));
    const c = await db.transaction((t) => nextCommitmentCode(db, t, division, "20310102"));
    assert.equal(a, `${division}20310101000001`);
    assert.equal(b, `${division}20310101000002`);
    assert.equal(c, `${division}20310102000001`);
    // A rolled-back submission gives its serial back.
    await assert.rejects(
      db.transaction(async (t) => {
        await nextCommitmentCode(db, t, division, "20310101");
        throw new Error("rollback");
      }),
    );
    assert.equal(await db.transaction((t) => nextCommitmentCode(db, t, division, "20310101")), `${division}20310101000003`);
  });
});
