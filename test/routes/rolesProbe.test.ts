import assert from "node:assert/strict";
import request from "supertest";
import type { Role } from "../../server/db/models/UserRole.js";
import { buildSubject, buildUser, csrfFrom, loginAs, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

// Every kind of account reads every list endpoint: the answer is its data (200) or a refusal (401/403), never a 500.
const ENDPOINTS = [
  "/engine-rest/version",
  "/engine-rest/task",
  "/engine-rest/task/count",
  "/engine-rest/process-definition",
  "/engine-rest/process-instance",
  "/engine-rest/process-instance/count",
  "/engine-rest/deployment",
  "/engine-rest/incident",
  "/engine-rest/job",
  "/engine-rest/external-task",
  "/engine-rest/history/process-instance",
  "/api/me",
  "/api/inbox",
  "/api/commitments",
  "/api/archive",
  "/api/catalog",
  "/api/catalog-admin/items",
  "/api/calendar",
  "/api/rules",
];

const PAGES = [
  "/",
  "/catalog",
  "/my/cases",
  "/my/subjects",
  "/tasks",
  "/archive",
  "/public/query",
  "/repair",
  "/admin/users",
  "/admin/departments",
  "/admin/subjects",
  "/admin/audit",
  "/admin/forms",
  "/admin/catalog",
  "/admin/processes",
  "/admin/instances",
];

// Form administration pages, with the exact answer per account: a form of the dept_admin's department (scjgj) and a
// global form (the admins'); a designer of another department is told the form does not exist (404).
const DESIGNERS_ONLY = { applicant: 403, "reviewer without a department": 403, reviewer: 403, auditor: 403, worker: 403, admin: 200 };
const FORM_ADMIN_PAGES: { path: string; status: Record<string, number> }[] = [
  { path: "/admin/forms/food-business-commitment/manage", status: { ...DESIGNERS_ONLY, dept_admin: 200 } },
  { path: "/admin/forms/food-business-commitment/diff", status: { ...DESIGNERS_ONLY, dept_admin: 200 } },
  { path: "/admin/forms/food-business-commitment/usage", status: { ...DESIGNERS_ONLY, dept_admin: 200 } },
  { path: "/admin/forms/food-business-commitment/duplicate", status: { ...DESIGNERS_ONLY, dept_admin: 200 } },
  { path: "/admin/forms/commitment-review/manage", status: { ...DESIGNERS_ONLY, dept_admin: 404 } },
  { path: "/admin/forms/commitment-review/diff", status: { ...DESIGNERS_ONLY, dept_admin: 404 } },
  { path: "/admin/forms/commitment-review/usage", status: { ...DESIGNERS_ONLY, dept_admin: 404 } },
  { path: "/admin/forms/commitment-review/duplicate", status: { ...DESIGNERS_ONLY, dept_admin: 404 } },
];

// A worker account (a program fetching external tasks) reaches exactly these endpoints and nothing else, no page.
const WORKER_ENDPOINTS = new Set(["/engine-rest/version", "/engine-rest/external-task"]);

/** Logs in through the form without reading a page afterwards (a worker has none to read). */
async function loginThroughForm(user: TestUser) {
  const agent = request.agent(testApp().app);
  const page = await agent.get("/login").expect(200);
  await agent
    .post("/login")
    .type("form")
    .send({ _csrf: csrfFrom(page.text), username: user.username, password: user.password })
    .expect(302);
  return agent;
}

const ACCOUNTS: { name: string; roles: Role[]; department?: string | null }[] = [
  { name: "applicant", roles: ["applicant"] },
  { name: "reviewer without a department", roles: ["reviewer"], department: null },
  { name: "reviewer", roles: ["reviewer"] },
  { name: "dept_admin", roles: ["dept_admin", "reviewer"] },
  { name: "auditor", roles: ["auditor"], department: null },
  { name: "worker", roles: ["worker"], department: null },
  { name: "admin", roles: ["admin"] },
];

describe("every account kind on every list endpoint and page: data or a refusal, never a 500", () => {
  const users = new Map<string, TestUser>();
  before(async () => {
    const subject = await buildSubject();
    for (const a of ACCOUNTS) {
      users.set(
        a.name,
        await buildUser({ roles: a.roles, department: a.department, subjectIds: a.roles.includes("applicant") ? [subject.id] : undefined }),
      );
    }
  });

  for (const a of ACCOUNTS) {
    it(`${a.name}`, async () => {
      const u = users.get(a.name)!;
      const answers: string[] = [];
      for (const path of ENDPOINTS) {
        const res = await request(testApp().app).get(path).auth(u.username, u.password);
        if (a.name === "worker") {
          const expected = WORKER_ENDPOINTS.has(path) ? 200 : 403;
          if (res.status !== expected) answers.push(`${path} → ${res.status}, expected ${expected}`);
        } else if (![200, 401, 403].includes(res.status)) answers.push(`${path} → ${res.status}`);
        if (res.status === 403) assert.match(JSON.stringify(res.body), /[\u4e00-\u9fa5]/, `${path}: the refusal says why in Chinese`);
      }
      assert.deepEqual(answers, []);
    });

    it(`${a.name}: every page answers it (a page, a redirect or the Chinese 403 page)`, async () => {
      const worker = a.name === "worker";
      const agent = worker ? await loginThroughForm(users.get(a.name)!) : await loginAs(users.get(a.name)!);
      const answers: string[] = [];
      for (const path of PAGES) {
        const res = await agent.get(path).set("Accept", "text/html");
        if (worker ? res.status !== 403 : ![200, 302, 403].includes(res.status)) answers.push(`${path} → ${res.status}`);
        if (res.status === 403) assert.match(res.text, /您没有执行此操作的权限/, path);
      }
      assert.deepEqual(answers, []);
    });

    it(`${a.name}: the form administration pages answer exactly`, async () => {
      const agent = a.name === "worker" ? await loginThroughForm(users.get(a.name)!) : await loginAs(users.get(a.name)!);
      const answers: string[] = [];
      for (const { path, status } of FORM_ADMIN_PAGES) {
        const res = await agent.get(path).set("Accept", "text/html");
        if (res.status !== status[a.name]) answers.push(`${path} → ${res.status}, expected ${status[a.name]}`);
      }
      assert.deepEqual(answers, []);
    });
  }
});
