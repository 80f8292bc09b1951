import { randomBytes } from "node:crypto";
import request from "supertest";
import { createApp } from "../../../server/app.js";
import type { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import type { CreditSubject } from "../../../server/db/models/CreditSubject.js";
import { addDays, chinaDay } from "../../../server/domain/calendar/days.js";
import { createCreditRecord } from "../../../server/domain/credit/creditRecords.js";
import { goodRow } from "../../domain/credit/importFixture.js";
import { buildSubject, buildUser, departmentId, loginAs, type Agent } from "../../helpers/factories.js";
import { createLogger } from "../../../server/logger.js";
import { testApp } from "../../helpers/testApp.js";

const uniq = () => randomBytes(4).toString("hex");

export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

/** A 行政处罚 record of the subject, entered by a department, decided `daysAgo` days before today. */
export async function buildPenalty(
  subject: CreditSubject,
  opts: { severity: "轻微" | "一般" | "严重"; daysAgo: number; department?: string },
): Promise<CreditRecord> {
  const { db, clock } = testApp();
  const tag = `R${uniq()}`;
  return createCreditRecord(db, {
    actor: "officer",
    departmentId: await departmentId(opts.department ?? "scjgj"),
    fields: {
      ...goodRow(tag, 1, subject),
      severity: opts.severity,
      decisionNumber: `荥市监罚〔2026〕${tag}号`,
      decidedOn: addDays(chinaDay(clock.now()), -opts.daysAgo),
      penaltyContent: `罚款内容${tag}`,
    },
    at: clock.now(),
  });
}

export interface RepairWorld {
  subject: CreditSubject;
  applicant: Agent;
  reviewer: Agent;
}

/** A subject, an applicant acting for it, and a reviewer of 市市场监管局 (the department that records the penalties). */
export async function buildWorld(): Promise<RepairWorld> {
  const subject = await buildSubject();
  const applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
  const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
  return { subject, applicant, reviewer };
}

export const post = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .set("Accept", "application/json")
    .send(body as object);

/** Uploads a PDF as the applicant and answers the file value a Form.io file field submits. */
export async function uploadProof(agent: Agent, name = "罚款缴纳凭证.pdf") {
  const res = await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", PDF, name).expect(201);
  const f = res.body.data as { id: string; url: string; name: string; size: number; type: string };
  return { id: f.id, value: [{ storage: "url", name: f.name, originalName: f.name, url: f.url, size: f.size, type: f.type }] };
}

/** The open task of a case at an activity, as the reviewer's inbox lists it. */
export async function inboxTask(
  reviewer: Agent,
  processKey: string,
  code: string,
): Promise<
  | { taskId: string; taskName: string; activityId: string; due: string | null; case: { code: string; kind: string; status: string } }
  | undefined
> {
  const res = await reviewer.get(`/api/inbox?processKey=${processKey}`).expect(200);
  const rows = res.body.data as {
    taskId: string;
    taskName: string;
    activityId: string;
    due: string | null;
    case: { code: string; kind: string; status: string };
  }[];
  return rows.find((r) => r.case.code === code);
}

let publicApp: ReturnType<typeof createApp> | undefined;

/**
 * The public query over the same database from an app of its own: the per-IP limit of the shared test app is left to
 * the tests of that limit and of the pages (these tests ask many times in a minute).
 */
export function publicQuery(path: string) {
  const { db, config, clock } = testApp();
  publicApp ??= createApp({ config: { ...config, publicQueryRatePerMinute: 10_000 }, db, logger: createLogger("silent"), clock });
  return request(publicApp).get(path);
}
