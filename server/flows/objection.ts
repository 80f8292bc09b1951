import type { Database } from "../db/database.js";
import type { EngineRuntime } from "../engine/index.js";
import { OBJECTION } from "../domain/repair/contract.js";
import { registerRecordCaseFileAccess } from "../domain/repair/fileAccess.js";
import { decideObjection, registerObjectionServices } from "../domain/repair/objectionFlow.js";
import type { FlowModule, FlowRegistry } from "./registry.js";

/** 异议申诉 (processes/credit-objection.bpmn): the recording department verifies; upheld withdraws (已撤销) or corrects the record. */
export function defineObjectionFlow(flows: FlowRegistry, engine: EngineRuntime, db: Database): FlowModule {
  registerObjectionServices(engine, db);
  registerRecordCaseFileAccess();
  return flows.define({
    kind: OBJECTION.kind,
    label: "异议申诉",
    processKeys: [OBJECTION.processKey],
    door: "申请人在“信用修复”页面（/repair/apply）选择记录提出异议",
    status: {
      [OBJECTION.tasks.verify]: "核查中",
      "end:upheld": "异议成立（已撤销）",
      "end:corrected": "异议成立（已更正）",
      "end:refused": "异议不成立",
    },
    tasks: { [OBJECTION.tasks.verify]: { complete: decideObjection } },
  });
}
