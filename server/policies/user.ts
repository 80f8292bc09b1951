import type { CurrentUser } from "../auth/currentUser.js";

interface TargetUser {
  id: number;
  active: boolean;
}

/** Who may manage accounts: admins, never against their own admin access (no one locks the office out by a slip). */
export const userPolicy = {
  list: (user: CurrentUser) => user.isAdmin,
  create: (user: CurrentUser) => user.isAdmin,
  update: (user: CurrentUser, _target: TargetUser) => user.isAdmin,
  resetPassword: (user: CurrentUser, _target: TargetUser) => user.isAdmin,
  deactivate: (user: CurrentUser, target: TargetUser) => user.isAdmin && target.active && target.id !== user.id,
  /** Removing one's own admin role or deactivating oneself through the edit form is refused. */
  keepsOwnAccess: (user: CurrentUser, target: TargetUser, change: { roles: string[]; active: boolean }) =>
    target.id !== user.id || (change.active && change.roles.includes("admin")),
};

/** The buttons a page may show for a target account. */
export function userActions(user: CurrentUser, target: TargetUser) {
  return {
    update: userPolicy.update(user, target),
    resetPassword: userPolicy.resetPassword(user, target),
    deactivate: userPolicy.deactivate(user, target),
  };
}
