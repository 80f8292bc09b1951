import type { Database } from "../../db/database.js";
import { CreditSubject, type SubjectType } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import { User } from "../../db/models/User.js";
import type { Role } from "../../db/models/UserRole.js";
import { audit } from "../audit.js";
import { residentIdCheckCharacter } from "../subjects/residentId.js";
import { usccCheckCharacter } from "../subjects/uscc.js";
import { createUser } from "./createUser.js";

export const DEMO_PASSWORD = "Demo@12345";
export const DEMO_DIVISION = "410182";

const uscc = (first17: string) => first17 + usccCheckCharacter(first17);

/** Synthetic subjects in 荥阳市 (410182): valid check characters, serials no real company holds. */
export const DEMO_SUBJECTS: ReadonlyArray<{ code: string; name: string; subjectType: SubjectType }> = [
  { code: uscc(`91${DEMO_DIVISION}MA9XY0001`), name: "荥阳市示范食品有限公司", subjectType: "法人及非法人组织" },
  { code: uscc(`91${DEMO_DIVISION}MA9XY0002`), name: "荥阳市示范建筑工程有限公司", subjectType: "法人及非法人组织" },
  { code: uscc(`91${DEMO_DIVISION}MA9XY0003`), name: "荥阳市示范环保科技有限公司", subjectType: "法人及非法人组织" },
  { code: uscc(`92${DEMO_DIVISION}MA9XY0004`), name: "荥阳市示范小吃店", subjectType: "个体工商户" },
  { code: `${DEMO_DIVISION}19900101123` + residentIdCheckCharacter(`${DEMO_DIVISION}19900101123`), name: "张示范", subjectType: "自然人" },
];

export const DEMO_ACCOUNTS: ReadonlyArray<{
  username: string;
  displayName: string;
  roles: Role[];
  department?: string;
  subjectIndex?: number;
}> = [
  { username: "admin", displayName: "系统管理员", roles: ["admin"], department: "fgw" },
  { username: "reviewer", displayName: "王审核（市场监管局）", roles: ["reviewer"], department: "scjgj" },
  { username: "reviewer2", displayName: "李审核（住建局）", roles: ["reviewer"], department: "zjj" },
  { username: "xinyong", displayName: "孙审核（信用办）", roles: ["reviewer"], department: "fgw" },
  { username: "deptadmin", displayName: "赵管理（市场监管局）", roles: ["dept_admin", "reviewer"], department: "scjgj" },
  { username: "applicant", displayName: "刘经办（示范食品公司）", roles: ["applicant"], subjectIndex: 0 },
  { username: "auditor", displayName: "陈审计", roles: ["auditor"] },
];

/** Seeds demo accounts and subjects unless any account exists; returns whether it seeded. */
export async function seedDemoData(db: Database): Promise<boolean> {
  if ((await User.count()) > 0) return false;
  await db.transaction(async (t) => {
    const subjects: CreditSubject[] = [];
    for (const s of DEMO_SUBJECTS) {
      subjects.push(
        await CreditSubject.create(
          { ...s, divisionCode: DEMO_DIVISION, legacyOverrideReason: null, legacyOverrideBy: null },
          { transaction: t },
        ),
      );
    }
    const departments = new Map((await Department.findAll({ transaction: t })).map((d) => [d.code, d.id]));
    for (const a of DEMO_ACCOUNTS) {
      await createUser(
        {
          username: a.username,
          password: DEMO_PASSWORD,
          displayName: a.displayName,
          roles: a.roles,
          departmentId: a.department ? (departments.get(a.department) ?? null) : null,
          subjectIds: a.subjectIndex === undefined ? [] : [subjects[a.subjectIndex]!.id],
        },
        t,
      );
    }
    await audit(db, t, { actor: "system", action: "demo.seeded", detail: { accounts: DEMO_ACCOUNTS.map((a) => a.username) } });
  });
  return true;
}
