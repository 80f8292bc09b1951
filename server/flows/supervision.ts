import type { Database } from "../db/database.js";
import type { EngineRuntime } from "../engine/index.js";
import { SUPERVISION } from "../domain/supervision/inspections/contract.js";
import {
  decideInspection,
  decideRecheck,
  registerInspectionFileAccess,
  registerSupervisionServices,
} from "../domain/supervision/inspections/inspectionFlow.js";
import type { FlowModule, FlowRegistry } from "./registry.js";

/**
 * 监管检查 (processes/supervision.bpmn): started by a confirmed 双随机 draw, a batch of 告知承诺 核查 or a triggered
 * inspection (server/domain/supervision/inspections/startInspections.ts); 检查 and 复查 by the drawn inspectors from
 * their inbox; the result is published on /public/supervision/results when the case closes.
 */
export function defineSupervisionFlow(flows: FlowRegistry, engine: EngineRuntime, db: Database): FlowModule {
  registerSupervisionServices(engine, db);
  registerInspectionFileAccess();
  return flows.define({
    kind: SUPERVISION.kind,
    label: "监管检查",
    processKeys: [SUPERVISION.processKey],
    door: "由抽查确认、告知承诺核查批量发起或“发起检查”页面（/supervision/inspections/new）启动",
    status: {
      [SUPERVISION.tasks.inspect]: "待检查",
      [SUPERVISION.tasks.recheck]: "责令整改中（待复查）",
      ended: "已办结（结果已公开）",
    },
    // 退回 would re-open a multi-instance 检查 whose joint conclusion (and any 核查 it recorded) is already taken.
    forbidReturnFrom: [SUPERVISION.tasks.inspect, SUPERVISION.tasks.recheck],
    tasks: {
      [SUPERVISION.tasks.inspect]: { complete: decideInspection },
      [SUPERVISION.tasks.recheck]: { complete: decideRecheck },
    },
  });
}
