import { randomBytes, randomInt } from "node:crypto";
import request from "supertest";
import { CreditSubject, type SubjectType } from "../../server/db/models/CreditSubject.js";
import { Department } from "../../server/db/models/Department.js";
import type { Role } from "../../server/db/models/UserRole.js";
import { createUser } from "../../server/domain/accounts/createUser.js";
import { USCC_ALPHABET, usccCheckCharacter } from "../../server/domain/subjects/uscc.js";
import { testApp } from "./testApp.js";

export const TEST_PASSWORD = "Test@12345";

const uniq = () => randomBytes(4).toString("hex");

/** A random, valid USCC in 荥阳市 (410182) that no other test uses. */
export function randomUscc(prefix = "91"): string {
  let body = "";
  for (let i = 0; i < 9; i++) body += USCC_ALPHABET[randomInt(USCC_ALPHABET.length)]!;
  const first17 = `${prefix}410182${body}`;
  return first17 + usccCheckCharacter(first17);
}

export async function buildSubject(
  overrides: Partial<{ code: string; name: string; subjectType: SubjectType }> = {},
): Promise<CreditSubject> {
  return CreditSubject.create({
    code: overrides.code ?? randomUscc(),
    name: overrides.name ?? `测试企业${uniq()}有限公司`,
    subjectType: overrides.subjectType ?? "法人及非法人组织",
    divisionCode: "410182",
    legacyOverrideReason: null,
    legacyOverrideBy: null,
  });
}

export async function departmentId(code: string): Promise<number> {
  const d = await Department.findOne({ where: { code } });
  if (!d) throw new Error(`no department ${code}`);
  return d.id;
}

export interface TestUser {
  id: number;
  username: string;
  password: string;
}

/** An account with the given roles; staff roles default to 市市场监管局 (scjgj). */
export async function buildUser(
  options: { roles?: Role[]; department?: string | null; subjectIds?: number[]; groups?: string[]; password?: string } = {},
): Promise<TestUser> {
  const roles = options.roles ?? ["applicant"];
  const staff = roles.some((r) => r !== "applicant");
  const department = options.department === undefined ? (staff ? "scjgj" : null) : options.department;
  const password = options.password ?? TEST_PASSWORD;
  const username = `u_${uniq()}`;
  const { db } = testApp();
  const user = await db.transaction(async (t) =>
    createUser(
      {
        username,
        password,
        displayName: `测试用户${username}`,
        roles,
        departmentId: department ? await departmentId(department) : null,
        groups: options.groups,
        subjectIds: options.subjectIds,
      },
      t,
    ),
  );
  return { id: user.id, username, password };
}

/** Reads the CSRF token a page embeds (login form or the layout's meta tag). */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html) ?? /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error("no CSRF token on the page");
  return match[1];
}

export type Agent = ReturnType<typeof request.agent> & { csrf: string };

/** A supertest agent logged in through the login page, carrying the session's CSRF token. */
export async function loginAs(user: TestUser): Promise<Agent> {
  const agent = request.agent(testApp().app) as Agent;
  const page = await agent.get("/login").expect(200);
  const res = await agent
    .post("/login")
    .type("form")
    .send({ _csrf: csrfFrom(page.text), username: user.username, password: user.password });
  if (res.status !== 302) throw new Error(`login failed for ${user.username}: ${res.status}`);
  const home = await agent.get("/").expect(200);
  agent.csrf = csrfFrom(home.text);
  return agent;
}
