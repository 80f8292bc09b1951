import { readFileSync } from "node:fs";
import argon2 from "argon2";

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password with argon2id (OWASP's minimum parameters). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

// A hash of nothing anyone knows, verified when the username does not exist so that both
// answers take the same time and reveal nothing about which accounts exist.
let decoy: Promise<string> | undefined;

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await argon2.verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export const COMMON_PASSWORD_MESSAGE = "该密码过于常见，容易被猜中，请换一个";

let common: Set<string> | undefined;

/** The blocklist's form of a password: full-width letters folded (NFKC) and lower case, so Ｐassword１ is password1. */
function blocklistKey(password: string): string {
  return password.normalize("NFKC").toLowerCase();
}

/**
 * Whether the password is on the shipped list of common passwords (server/auth/common-passwords.txt), ignoring
 * letter case. Only the whole password is compared: "Password1" is refused, "Password1-月亮湾" is not.
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(
    readFileSync(new URL("./common-passwords.txt", import.meta.url), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"))
      .map(blocklistKey),
  );
  return common.has(blocklistKey(password));
}

/**
 * The platform's password rule, in Chinese when it fails; undefined when the password is acceptable. Every door that
 * sets a password (registration, an admin creating an account or resetting its password) asks this.
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8) return "密码至少 8 位";
  if (password.length > 128) return "密码不能超过 128 位";
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (kinds < 3) return "密码需包含大写字母、小写字母、数字、符号中的至少三类";
  if (isCommonPassword(password)) return COMMON_PASSWORD_MESSAGE;
  return undefined;
}
