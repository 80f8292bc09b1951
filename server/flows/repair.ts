import type { Database } from "../db/database.js";
import type { EngineRuntime } from "../engine/index.js";
import { REPAIR } from "../domain/repair/contract.js";
import { registerRecordCaseFileAccess } from "../domain/repair/fileAccess.js";
import { decideRepairAcceptance, decideRepairReview, registerRepairServices, submitRepairSupplement } from "../domain/repair/repairFlow.js";
import type { FlowModule, FlowRegistry } from "./registry.js";

/**
 * 信用修复 (processes/credit-repair.bpmn): applied for at /repair/apply, 受理 and 审核 by the recording department's
 * group ("谁认定、谁修复"), 补充材料 by the applicant on its case page; approval ends the record's publicity.
 */
export function defineRepairFlow(flows: FlowRegistry, engine: EngineRuntime, db: Database): FlowModule {
  registerRepairServices(engine, db);
  registerRecordCaseFileAccess();
  return flows.define({
    kind: REPAIR.kind,
    label: "信用修复",
    processKeys: [REPAIR.processKey],
    door: "申请人在“信用修复”页面（/repair/apply）选择记录提出申请，补充材料在“我的办件”中提交",
    status: {
      [REPAIR.tasks.accept]: "待受理",
      [REPAIR.tasks.review]: "审核中",
      [REPAIR.tasks.supplement]: "补充材料",
      "end:notAccepted": "不予受理",
      "end:refused": "不予修复",
      "end:repaired": "已修复（终止公示）",
    },
    tasks: {
      [REPAIR.tasks.accept]: { complete: decideRepairAcceptance },
      [REPAIR.tasks.review]: { complete: decideRepairReview },
      [REPAIR.tasks.supplement]: { complete: submitRepairSupplement },
    },
  });
}
