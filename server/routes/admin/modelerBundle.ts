import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Router } from "express";
import { NotFoundError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { ROOT_DIR } from "../../paths.js";

// The browser modeler (bpmn-js Modeler, the properties panel, Camunda moddle and behaviors, bpmnlint, the differ) is
// ESM-only: esbuild bundles public/js/modeler/*.js into two browser files the first time a page asks for them. The
// output goes to a cache directory named by a hash of the sources and of package-lock.json, so an upgrade or an edit
// builds anew and every later request (and every later start) reuses the files. Nothing is fetched from a CDN.

const SOURCE_DIR = path.join(ROOT_DIR, "public/js/modeler");
const ENTRIES = { modeler: "index.js", compare: "compare.js" } as const;
const FILES = new Set(["modeler.js", "modeler.css", "compare.js", "compare.css"]);

/** The cache directory: MODELER_CACHE_DIR, else the system's temporary directory (shared by tests and restarts). */
export function modelerCacheDir(): string {
  return process.env.MODELER_CACHE_DIR || path.join(os.tmpdir(), "xinyong-modeler-bundle");
}

function sourceHash(): string {
  const hash = createHash("sha256");
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) visit(file);
      else hash.update(name).update(readFileSync(file));
    }
  };
  visit(SOURCE_DIR);
  const lock = path.join(ROOT_DIR, "package-lock.json");
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest("hex").slice(0, 16);
}

async function buildInto(outdir: string): Promise<void> {
  const { build } = await import("esbuild");
  await build({
    absWorkingDir: ROOT_DIR,
    entryPoints: Object.entries(ENTRIES).map(([out, file]) => ({ in: path.join(SOURCE_DIR, file), out })),
    bundle: true,
    outdir,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    minify: true,
    legalComments: "eof",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
    // bpmn-font and the properties panel's icons become data: URLs (the CSP allows fonts and images from data:).
    loader: { ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".eot": "dataurl", ".svg": "dataurl" },
  });
}

/** Builds the bundle once per source hash (concurrent requests share one build); answers the directory holding it. */
export class ModelerBundle {
  private pending: Promise<string> | null = null;
  private hash: string | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly cacheDir = modelerCacheDir(),
  ) {}

  dir(): Promise<string> {
    // The hash is taken once per node: a source edit needs a restart (as any server code does).
    this.hash ??= sourceHash();
    const target = path.join(this.cacheDir, this.hash);
    if (existsSync(path.join(target, "modeler.js")) && existsSync(path.join(target, "compare.js"))) return Promise.resolve(target);
    this.pending ??= this.build(target).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async build(target: string): Promise<string> {
    const started = Date.now();
    mkdirSync(this.cacheDir, { recursive: true });
    // Built beside the target and renamed into place: another node or process never sees half a bundle.
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await buildInto(tmp);
      try {
        renameSync(tmp, target);
      } catch (err) {
        if (!existsSync(path.join(target, "modeler.js"))) throw err;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    this.logger.info({ dir: target, ms: Date.now() - started }, "modeler bundle built");
    return target;
  }
}

/** GET /bundles/modeler/{modeler,compare}.{js,css}: the bundled browser modeler, built on first use. */
export function modelerBundleRoutes(logger: Logger): Router {
  const router = Router();
  const bundle = new ModelerBundle(logger);
  router.get("/bundles/modeler/:file", async (req, res) => {
    const file = String(req.params.file);
    if (!FILES.has(file)) throw new NotFoundError(`找不到文件 ${file}`);
    const dir = await bundle.dir();
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(path.join(dir, file));
  });
  return router;
}
