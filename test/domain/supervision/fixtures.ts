import { randomBytes, randomInt } from "node:crypto";
import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../../server/auth/currentUser.js";
import { CreditSubject } from "../../../server/db/models/CreditSubject.js";
import type { Department } from "../../../server/db/models/Department.js";
import { createDepartment } from "../../../server/domain/accounts/departments.js";
import type { DrawGrade } from "../../../server/domain/supervision/drawAlgorithm.js";
import { createItem } from "../../../server/domain/supervision/items.js";
import { createPlan, type PlanInput } from "../../../server/domain/supervision/plans.js";
import { buildUser, randomUscc, type TestUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";

const uniq = () => randomBytes(3).toString("hex");

/** A department of its own (so its inspector pool holds only this test's reviewers). */
export async function buildDepartment(): Promise<Department> {
  const { db } = testApp();
  const code = `sv${uniq()}`;
  return db.transaction((t) => createDepartment({ code, name: `测试监管局${code}` }, t));
}

/** A division code no other test uses, so a plan scoped to it sees only this test's subjects. */
export function uniqueDivision(): string {
  return `9${String(randomInt(0, 100_000)).padStart(5, "0")}`;
}

/** Subjects in one division, with the given classes (a grade row each; "B" rows too, for clarity). */
export async function buildSubjects(division: string, grades: DrawGrade[]): Promise<CreditSubject[]> {
  const { db } = testApp();
  const subjects: CreditSubject[] = [];
  for (const [i, grade] of grades.entries()) {
    const s = await CreditSubject.create({
      code: randomUscc(),
      name: `抽查测试${division}第${i + 1}号有限公司`,
      subjectType: "法人及非法人组织",
      divisionCode: division,
      legacyOverrideReason: null,
      legacyOverrideBy: null,
    });
    const now = new Date();
    await db.sequelize.query(
      `INSERT INTO subject_grades (subject_id, grade, score, reasons, model_id, computed_at, created_at, updated_at)
       VALUES (:id, :grade, 0, '[]', 0, :now, :now, :now)`,
      { type: QueryTypes.INSERT, replacements: { id: s.id, grade, now } },
    );
    subjects.push(s);
  }
  return subjects;
}

export interface Setup {
  department: Department;
  division: string;
  subjects: CreditSubject[];
  inspectors: TestUser[];
  admin: TestUser;
  adminUser: CurrentUser;
  itemId: number;
}

/** A department with `inspectors` reviewers, a department admin, one 清单 item and graded subjects in a fresh division. */
export async function setup(opts: { inspectors?: number; grades?: DrawGrade[] } = {}): Promise<Setup> {
  const { db } = testApp();
  const department = await buildDepartment();
  const division = uniqueDivision();
  const subjects = await buildSubjects(
    division,
    opts.grades ?? [...Array(10).fill("A"), ...Array(10).fill("B"), ...Array(10).fill("C"), ...Array(10).fill("D")],
  );
  const inspectors: TestUser[] = [];
  for (let i = 0; i < (opts.inspectors ?? 4); i++) inspectors.push(await buildUser({ roles: ["reviewer"], department: department.code }));
  const admin = await buildUser({ roles: ["dept_admin"], department: department.code });
  const adminUser: CurrentUser = {
    id: admin.id,
    username: admin.username,
    displayName: admin.username,
    roles: ["dept_admin"],
    groups: [department.code],
    departmentId: department.id,
    departmentName: department.name,
    subjectIds: [],
    isAdmin: false,
  };
  const item = await createItem(db, adminUser, department.id, {
    code: `FOOD-${uniq()}`,
    name: "食品经营许可事项的监督检查",
    legalBasis: "《中华人民共和国食品安全法》第一百一十条",
    method: "实地核查",
  });
  return { department, division, subjects, inspectors, admin, adminUser, itemId: item.id };
}

export function planInput(s: Setup, over: Partial<PlanInput> = {}): PlanInput {
  return {
    departmentId: s.department.id,
    year: 2026,
    name: `测试抽查计划${uniq()}`,
    scope: { subjectTypes: [], divisionCode: s.division, itemCodes: [], grades: [] },
    itemIds: [s.itemId],
    ratios: { A: 0, B: 0.2, C: 0.5, D: 1 },
    inspectorsPerTarget: 2,
    periodStart: "2026-03-01",
    periodEnd: "2026-11-30",
    ...over,
  };
}

export async function buildPlan(s: Setup, over: Partial<PlanInput> = {}) {
  return createPlan(testApp().db, s.adminUser, planInput(s, over));
}

/** randomBytes that answers a fixed seed (the draw under test is then known in advance). */
export const fixedBytes = (hex: string) => (n: number) => Buffer.from(hex, "hex").subarray(0, n);
