import type { Database } from "../../db/database.js";
import { User } from "../../db/models/User.js";
import { ConflictError, NotFoundError } from "../../errors.js";
import { audit } from "../audit.js";
import type { Actor } from "./actor.js";

/**
 * An admin deactivates an account: it can no longer log in, its sessions end on their next request
 * (each request reloads the account and an inactive one is treated as logged out). Nothing is deleted.
 */
export function deactivateUser(db: Database, actor: Actor, userId: number): Promise<User> {
  return db.transaction(async (t) => {
    const user = await User.findByPk(userId, { transaction: t, lock: db.dialect === "mysql" });
    if (!user) throw new NotFoundError("找不到该用户");
    if (!user.active) throw new ConflictError("该账号已停用");
    user.active = false;
    await user.save({ transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "user.deactivated",
      entityType: "user",
      entityId: user.id,
      detail: { username: user.username },
      ip: actor.ip ?? null,
    });
    return user;
  });
}
