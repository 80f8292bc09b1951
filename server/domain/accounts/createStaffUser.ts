import { hashPassword, passwordProblem } from "../../auth/passwords.js";
import type { Database } from "../../db/database.js";
import type { User } from "../../db/models/User.js";
import type { Role } from "../../db/models/UserRole.js";
import { ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import type { Actor } from "./actor.js";
import { createUser } from "./createUser.js";
import { checkAssignment } from "./staffAccounts.js";
import { USERNAME_UNAVAILABLE, usernameAvailable } from "./usernames.js";

export interface NewStaffUser {
  username: string;
  password: string;
  displayName: string;
  phone: string | null;
  email: string | null;
  roles: Role[];
  departmentId: number | null;
  groups: string[];
}

/** An admin creates a staff account with roles, a department (whose group it joins) and extra groups. */
export async function createStaffUser(db: Database, actor: Actor, input: NewStaffUser): Promise<User> {
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError(problem, [{ path: "password", message: problem }]);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (t) => {
    if (!(await usernameAvailable(db, input.username, t))) {
      throw new ValidationError(USERNAME_UNAVAILABLE, [{ path: "username", message: USERNAME_UNAVAILABLE }]);
    }
    await checkAssignment(input, t);
    const user = await createUser({ ...input, passwordHash }, t);
    await audit(db, t, {
      actor: actor.username,
      action: "user.created",
      entityType: "user",
      entityId: user.id,
      detail: { username: user.username, roles: input.roles, departmentId: input.departmentId, groups: input.groups },
      ip: actor.ip ?? null,
    });
    return user;
  });
}
