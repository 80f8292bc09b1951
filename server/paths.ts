import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: templates/, processes/, forms/, public/ and node_modules/ are found from here. */
export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
