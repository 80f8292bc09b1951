import assert from "node:assert/strict";
import { testApp } from "../helpers/testApp.js";
import { loadCorpus, runCompat, summarize, type CompatResult } from "../../bench/forms/corpus.js";

describe("forms: compatibility with a public corpus of Form.io forms (bench/forms/compat.ts prints the figures)", function () {
  this.timeout(300_000);
  let results: CompatResult[];

  before(async () => {
    results = await runCompat(testApp().db, loadCorpus(), "compat-t");
  });

  it("reads the corpus from @formio/core, formiojs 4.21.7 and the @formio/js 5.6 builder", () => {
    const summary = summarize(results);
    assert.ok(summary.total >= 250, `${summary.total} forms`);
    for (const source of ["@formio/core", "formiojs 4.21.7", "@formio/js 5.6.0 builder"])
      assert.ok(summary.bySource[source]?.total, source);
  });

  it("accepts at least 80% of the standard-component forms, with no 5xx on save or on an empty submission", () => {
    const summary = summarize(results);
    const crashed = results.filter((r) => r.outcome === "5xx" || r.emptySubmission === "5xx").map((r) => `${r.entry.name}: ${r.error}`);
    assert.deepEqual(crashed, []);
    assert.ok(summary.standard.share >= 0.8, `standard-component forms: ${summary.standard.accepted} / ${summary.standard.total}`);
  });

  it("accepts every palette component of the builder except the password and the custom component", () => {
    const refused = results
      .filter((r) => r.entry.source === "@formio/js 5.6.0 builder" && r.outcome !== "accepted")
      .map((r) => r.entry.name);
    assert.deepEqual(refused.sort(), ["custom", "password"]);
  });

  it("gives every refusal in Chinese, never naming a component 'undefined'", () => {
    for (const r of results.filter((x) => x.outcome === "refused")) {
      assert.ok(r.reasons.length, r.entry.name);
      for (const reason of r.reasons) {
        assert.match(reason, /[\u4e00-\u9fff]/, `${r.entry.name}: ${reason}`);
        assert.doesNotMatch(reason, /undefined/, `${r.entry.name}: ${reason}`);
      }
    }
  });
});
