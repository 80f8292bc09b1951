import assert from "node:assert/strict";
import { SubjectGrade } from "../../../server/db/models/SubjectGrade.js";
import { gradesOf } from "../../../server/domain/grading/queries.js";
import { buildSubject } from "../../helpers/factories.js";

describe("gradesOf", () => {
  it("returns the stored class and counts a subject without a row as B", async () => {
    const graded = await buildSubject();
    const ungraded = await buildSubject();
    const now = new Date();
    await SubjectGrade.create({
      subjectId: graded.id,
      grade: "C",
      score: 72.5,
      reasons: JSON.stringify([{ indicator: "record_general_1y", label: "一般失信（1年内）", points: -15, detail: "1条" }]),
      modelId: 1,
      computedAt: now,
      inputsAt: null,
    });
    const grades = await gradesOf([graded.id, ungraded.id]);
    assert.equal(grades.get(graded.id)?.grade, "C");
    assert.equal(grades.get(graded.id)?.score, 72.5);
    assert.equal(grades.get(graded.id)?.reasons[0]?.label, "一般失信（1年内）");
    assert.equal(grades.get(ungraded.id)?.grade, "B");
    assert.equal(grades.get(ungraded.id)?.graded, false);
  });
});
