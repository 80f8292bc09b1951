import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT_DIR } from "../../../server/paths.js";
import { COMMITMENT_SERVICES } from "../../../server/domain/commitments/processContract.js";
import { testApp } from "../../helpers/testApp.js";

const FILE = path.join(ROOT_DIR, "processes", "commitment.bpmn");

describe("processes/commitment.bpmn", () => {
  it("deploys with no errors and no lint warnings, every service registered", async () => {
    const { engine, db } = testApp().app.locals.context;
    const xml = readFileSync(FILE, "utf8");
    for (const name of Object.values(COMMITMENT_SERVICES)) assert.ok(engine.services.has(name), `service ${name} is registered`);
    // Deploy inside a transaction that rolls back: validation runs, nothing stays.
    const result = await db
      .transaction(async (t) => {
        const r = await engine.deploy({ name: "commitment-check", files: [{ name: "commitment.bpmn", xml }], actor: "test" }, t);
        throw Object.assign(new Error("rollback"), { result: r });
      })
      .catch((err: Error & { result?: Awaited<ReturnType<typeof engine.deploy>> }) => {
        if (!err.result) throw err;
        return err.result;
      });
    assert.deepEqual(result.warnings, []);
    assert.equal(result.deployedProcessDefinitions[0]?.key, "commitment");
  });

  it("names only shipped forms, carries diagram information and no script", () => {
    const xml = readFileSync(FILE, "utf8");
    const formKeys = [...xml.matchAll(/camunda:formKey="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(formKeys.sort(), ["commitment-review", "commitment-verification"]);
    for (const key of formKeys) assert.ok(existsSync(path.join(ROOT_DIR, "forms", `${key}.json`)), `forms/${key}.json exists`);
    assert.match(xml, /<bpmndi:BPMNDiagram/);
    assert.doesNotMatch(xml, /scriptTask|javascript/i);
  });
});
