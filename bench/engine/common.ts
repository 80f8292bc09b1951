import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { systemClock } from "../../server/clock.js";
import { openDatabase, type Database } from "../../server/db/database.js";
import { migrateUp } from "../../server/db/migrator.js";
import { initModels } from "../../server/db/models/index.js";
import { caseRecorder } from "../../server/domain/cases/recordCase.js";
import { createEngineRuntime, type EngineRuntime } from "../../server/engine/index.js";
import { FlowRegistry } from "../../server/flows/registry.js";
import { createLogger } from "../../server/logger.js";

/** The benchmark process: start -> user task -> FEEL gateway -> one of two ends. */
export function benchXml(key: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Def_${key}" targetNamespace="http://xinyong.example/bench">
  <process id="${key}" name="bench" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <userTask id="review" name="审核" camunda:candidateGroups="scjgj" camunda:formKey="bench-form" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="gw" />
    <exclusiveGateway id="gw" default="fNo" />
    <sequenceFlow id="fYes" sourceRef="gw" targetRef="endYes">
      <conditionExpression xsi:type="tFormalExpression" language="feel">approved = true and amount &lt;= 100000</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="fNo" sourceRef="gw" targetRef="endNo" />
    <endEvent id="endYes" />
    <endEvent id="endNo" />
  </process>
</definitions>`;
}

export async function openBenchDatabase(url?: string): Promise<{ db: Database; url: string }> {
  const dbUrl = url ?? `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), "xy-bench-")), "bench.sqlite")}`;
  const db = await openDatabase(dbUrl);
  initModels(db.sequelize);
  await migrateUp(db);
  return { db, url: dbUrl };
}

/**
 * The runtime as the app wires it: every step also keeps its case (domain/cases). BENCH_NO_CASES=1 leaves the case
 * recorder out, to measure what it costs.
 */
export function benchRuntime(db: Database): EngineRuntime {
  const rt = createEngineRuntime({ db, clock: systemClock, logger: createLogger("silent") });
  if (process.env.BENCH_NO_CASES !== "1") rt.lifecycle.on(caseRecorder(new FlowRegistry(), systemClock));
  return rt;
}

export const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
