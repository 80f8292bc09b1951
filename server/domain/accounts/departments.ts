import type { Transaction } from "sequelize";
import { Department } from "../../db/models/Department.js";
import { Group } from "../../db/models/Group.js";

/** The county's departments; each is also the candidate group (same code) for its tasks. */
export const COUNTY_DEPARTMENTS: ReadonlyArray<{ code: string; name: string }> = [
  { code: "fgw", name: "市发展改革委(信用办)" },
  { code: "scjgj", name: "市市场监管局" },
  { code: "swj", name: "市税务局" },
  { code: "rsj", name: "市人社局" },
  { code: "zjj", name: "市住建局" },
  { code: "sthj", name: "市生态环境分局" },
  { code: "sfj", name: "市司法局" },
  { code: "czj", name: "市财政局" },
];

/** Creates a department and its candidate group together. */
export async function createDepartment(input: { code: string; name: string; uscc?: string | null }, t: Transaction): Promise<Department> {
  const department = await Department.create({ code: input.code, name: input.name, uscc: input.uscc ?? null }, { transaction: t });
  await Group.create({ id: input.code, name: input.name, departmentId: department.id }, { transaction: t });
  return department;
}

/** Makes sure the county's departments exist (idempotent; runs on every boot). */
export async function ensureCountyDepartments(t: Transaction): Promise<void> {
  const existing = new Set((await Department.findAll({ attributes: ["code"], transaction: t, raw: true })).map((d) => d.code));
  for (const d of COUNTY_DEPARTMENTS) {
    if (!existing.has(d.code)) await createDepartment(d, t);
  }
}
