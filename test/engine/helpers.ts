import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Op } from "sequelize";
import type { CurrentUser } from "../../server/auth/currentUser.js";
import { EngineJob } from "../../server/db/models/engineModels.js";
import { Form } from "../../server/db/models/formModels.js";
import type { EngineRuntime } from "../../server/engine/index.js";
import { publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { testApp } from "../helpers/testApp.js";

const prefixes = new Set<string>();

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/bpmn");

/** A fixture with every "test-" name (process keys, topics, message names) made unique for this test. */
export function fixture(
  file: string,
  prefix = `t${randomBytes(4).toString("hex")}-`,
): { xml: string; prefix: string; key: (name: string) => string } {
  prefixes.add(prefix);
  const xml = readFileSync(path.join(FIXTURES, file), "utf8").replaceAll("test-", prefix);
  return { xml, prefix, key: (name: string) => `${prefix}${name}` };
}

export function engine(): EngineRuntime {
  return testApp().app.locals.context.engine;
}

export function user(overrides: Partial<CurrentUser> = {}): CurrentUser {
  const username = overrides.username ?? `u_${randomBytes(4).toString("hex")}`;
  return {
    id: 0,
    username,
    displayName: username,
    roles: ["reviewer"],
    groups: ["scjgj"],
    departmentId: null,
    departmentName: null,
    subjectIds: [],
    isAdmin: false,
    ...overrides,
  };
}

export const admin = (): CurrentUser => user({ username: "admin", roles: ["admin"], groups: [], isAdmin: true });

/** Creates and publishes every form the BPMN names by a literal camunda:formKey, as an admin does before deploying it. */
export async function createFormsOf(xml: string): Promise<string[]> {
  const { db } = testApp();
  const keys = [...new Set([...xml.matchAll(/camunda:formKey="([^"$]+)"/g)].map((m) => m[1]!))];
  for (const formKey of keys) {
    if (await Form.findOne({ where: { key: formKey } })) continue;
    // The fields the engine tests submit when they complete a task (a task's form decides what may be submitted).
    const definition = {
      display: "form",
      components: [
        { type: "textfield", key: "opinion", label: "审核意见", input: true },
        { type: "checkbox", key: "approved", label: "同意", input: true },
        { type: "checkbox", key: "ok", label: "确认", input: true },
        { type: "textfield", key: "decidedAt", label: "决定时间", input: true },
        { type: "textfield", key: "deadline", label: "期限", input: true },
      ],
    };
    const saved = await saveFormRevision(db, { formKey, title: "测试表单", definition, actor: "test" });
    await publishFormRevision(db, formKey, saved.revision, "test");
  }
  return keys;
}

/** Deploys a fixture under unique names (creating the forms it names first) and returns its keys. */
export async function deployFixture(
  file: string,
  rt: EngineRuntime = engine(),
): Promise<{ key: (name: string) => string; definitionId: string; prefix: string }> {
  const f = fixture(file);
  await createFormsOf(f.xml);
  const d = await rt.deploy({ name: file, files: [{ name: file, xml: f.xml }], actor: admin() });
  return { key: f.key, definitionId: d.deployedProcessDefinitions[0]!.id, prefix: f.prefix };
}

export const DAY = 24 * 60 * 60 * 1000;

/**
 * Keeps engine tests from leaking into others' (the inbox pages through every scjgj task; due
 * dates are relative to the shared clock): after the block, cancel what its fixtures left running
 * and put the shared ManualClock back where it was.
 */
export function isolateEngineTests(): void {
  let clockAt: Date;
  // Per test: others list "the latest" rows by the shared clock (deployments, tasks), so time moved
  // forward by a timer test must not outlive it.
  beforeEach(() => {
    clockAt = testApp().clock.now();
  });
  afterEach(async () => {
    testApp().clock.set(clockAt);
    // A deployed timer start event keeps its job: drop those of this block's fixtures, or they would fire in later tests.
    for (const prefix of prefixes) {
      await testApp().db.transaction((t) =>
        EngineJob.destroy({ where: { type: "timer-start-event", definitionKey: { [Op.startsWith]: prefix } }, transaction: t }),
      );
    }
  });
  after(async () => {
    const rt = engine();
    for (const prefix of prefixes) {
      for (const inst of await rt.findInstances({ state: "ACTIVE", keyPrefix: prefix })) {
        await rt.cancelInstance(inst.id, { actor: "test-cleanup", reason: "测试结束" });
      }
    }
    prefixes.clear();
  });
}
