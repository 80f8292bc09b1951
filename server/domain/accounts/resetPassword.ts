import { hashPassword, passwordProblem } from "../../auth/passwords.js";
import type { Database } from "../../db/database.js";
import { User } from "../../db/models/User.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import type { Actor } from "./actor.js";

/** An admin sets a new password for an account (the old one stops working at once); the password is never logged. */
export async function resetPassword(db: Database, actor: Actor, userId: number, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError(problem, [{ path: "password", message: problem }]);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (t) => {
    const user = await User.findByPk(userId, { transaction: t });
    if (!user) throw new NotFoundError("找不到该用户");
    user.passwordHash = passwordHash;
    await user.save({ transaction: t });
    await db.sequelize.query("DELETE FROM sessions WHERE data LIKE :pattern", {
      replacements: { pattern: `%"passport":{"user":${user.id}}%` },
      transaction: t,
    });
    await audit(db, t, {
      actor: actor.username,
      action: "user.password_reset",
      entityType: "user",
      entityId: user.id,
      detail: { username: user.username },
      ip: actor.ip ?? null,
    });
  });
}
