import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { listInbox } from "./listInbox.js";

/** Rows per page of the /tasks inbox. */
export const INBOX_PAGE_SIZE = 20;

/**
 * The filter drop-downs of the inbox: catalog items (named by their published version, else their latest) and
 * departments, from the catalog and department tables (a few hundred rows; no task is read). A reviewer is offered
 * the items and departments of its groups (each group is a department code); admin everything.
 */
export async function inboxFilterOptions(db: Database, user: CurrentUser) {
  // No group: '' matches no department code. Not NUL: SQLite ends the SQL text there.
  const r: Record<string, unknown> = { groups: user.groups.length ? user.groups : [""] };
  const mine = user.isAdmin ? "" : "WHERE d.code IN (:groups)";
  const items = await db.sequelize.query<{ item_code: string; item_name: string | null }>(
    `SELECT i.item_code,
            (SELECT v.name FROM catalog_item_versions v WHERE v.item_id = i.id
              ORDER BY CASE WHEN v.id = i.published_version_id THEN 0 ELSE 1 END, v.version DESC LIMIT 1) AS item_name
       FROM catalog_items i JOIN departments d ON d.id = i.department_id ${mine} ORDER BY i.item_code`,
    { replacements: r, type: QueryTypes.SELECT },
  );
  const departments = await db.sequelize.query<{ code: string; name: string }>(
    `SELECT d.code, d.name FROM departments d ${mine} ORDER BY d.code`,
    {
      replacements: r,
      type: QueryTypes.SELECT,
    },
  );
  return {
    items: items.map((i) => ({ code: i.item_code, name: i.item_name ?? i.item_code })),
    departments: departments.map((d) => ({ code: d.code, name: d.name })),
  };
}

/**
 * The next task after completing one: the first by due date of the tasks assigned to me, else of the unclaimed tasks
 * I may take; or null. Each is page 1 of the inbox query without counts (one short index walk).
 */
export async function nextTaskId(db: Database, user: CurrentUser, now: Date, exceptId: string): Promise<string | null> {
  for (const scope of ["mine", "unassigned"] as const) {
    const page = await listInbox(db, user, { scope, sort: "due", pageSize: 2, withCounts: false }, now);
    const next = page.rows.find((row) => row.taskId !== exceptId);
    if (next) return next.taskId;
  }
  return null;
}
