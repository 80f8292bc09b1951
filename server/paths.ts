import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The repository root: templates/, processes/, forms/, public/ and node_modules/ are found from here, both when the
 * sources run under tsx (server/paths.ts) and from the tsc build (dist/server/paths.js, `npm start`).
 */
export const ROOT_DIR = path.basename(HERE) === "dist" ? path.dirname(HERE) : HERE;
