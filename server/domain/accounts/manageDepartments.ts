import type { Database } from "../../db/database.js";
import { Department } from "../../db/models/Department.js";
import { Group } from "../../db/models/Group.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import { validateUscc } from "../subjects/uscc.js";
import type { Actor } from "./actor.js";
import { createDepartment } from "./departments.js";

/** A department's unit code must be a valid USCC (government units are not legacy-pilot codes); empty is allowed. */
function unitUscc(input: string | null | undefined): string | null {
  const raw = input?.trim();
  if (!raw) return null;
  const verdict = validateUscc(raw);
  if (!verdict.valid) throw new ValidationError("单位统一社会信用代码有误", [{ path: "uscc", message: verdict.reason }]);
  return verdict.code;
}

/** An admin adds a department; its candidate group (same code) is created with it. */
export async function addDepartment(
  db: Database,
  actor: Actor,
  input: { code: string; name: string; uscc?: string | null },
): Promise<Department> {
  const uscc = unitUscc(input.uscc);
  return db.transaction(async (t) => {
    const clash =
      (await Department.findOne({ where: { code: input.code }, transaction: t })) ?? (await Group.findByPk(input.code, { transaction: t }));
    if (clash) throw new ConflictError("该部门代码已被使用", "department_exists", [{ path: "code", message: "该部门代码已被使用" }]);
    const department = await createDepartment({ code: input.code, name: input.name.trim(), uscc }, t);
    await audit(db, t, {
      actor: actor.username,
      action: "department.created",
      entityType: "department",
      entityId: department.id,
      detail: { code: department.code, name: department.name, uscc },
      ip: actor.ip ?? null,
    });
    return department;
  });
}

/** An admin renames a department or sets its unit USCC; the code stays (it names the candidate group). */
export async function updateDepartment(
  db: Database,
  actor: Actor,
  departmentId: number,
  input: { name: string; uscc?: string | null },
): Promise<Department> {
  const uscc = unitUscc(input.uscc);
  return db.transaction(async (t) => {
    const department = await Department.findByPk(departmentId, { transaction: t });
    if (!department) throw new NotFoundError("找不到该部门");
    const before = { name: department.name, uscc: department.uscc };
    department.set({ name: input.name.trim(), uscc });
    await department.save({ transaction: t });
    await Group.update({ name: department.name }, { where: { departmentId: department.id }, transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "department.updated",
      entityType: "department",
      entityId: department.id,
      detail: { code: department.code, from: before, to: { name: department.name, uscc } },
      ip: actor.ip ?? null,
    });
    return department;
  });
}
