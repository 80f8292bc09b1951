import type { Commitment } from "../../db/models/Commitment.js";
import { Department } from "../../db/models/Department.js";

/** The current USCC of each department the rows name: the archive's stand-in when a commitment recorded none. */
export async function departmentUsccs(rows: Pick<Commitment, "departmentId">[]): Promise<Map<number, string | null>> {
  const ids = [...new Set(rows.map((r) => r.departmentId))];
  if (!ids.length) return new Map();
  const depts = await Department.findAll({ where: { id: ids }, attributes: ["id", "uscc"] });
  return new Map(depts.map((d) => [d.id, d.uscc]));
}
