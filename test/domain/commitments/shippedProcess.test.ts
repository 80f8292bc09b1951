import assert from "node:assert/strict";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { EngineDeployment } from "../../../server/db/models/engineModels.js";
import { deployShippedProcess, latestProcessDefinitionId } from "../../../server/domain/catalog/processDefinitions.js";
import { testApp } from "../../helpers/testApp.js";

describe("shipped process (processes/commitment.bpmn) at boot", () => {
  it("an unchanged file deploys nothing and records nothing: no empty deployment and no audit entry per restart", async () => {
    const engine = testApp().app.locals.context.engine;
    const first = await deployShippedProcess(engine, "commitment");
    const deployments = await EngineDeployment.count();
    const audits = await AuditEntry.count({ where: { action: "process.deployed" } });
    const again = await deployShippedProcess(engine, "commitment");
    assert.equal(again, first);
    assert.equal(again, await latestProcessDefinitionId("commitment"));
    assert.equal(await EngineDeployment.count(), deployments);
    assert.equal(await AuditEntry.count({ where: { action: "process.deployed" } }), audits);
  });
});
