import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import path from "node:path";
import compression from "compression";
import express, { Router, type Express, type NextFunction, type Request, type Response } from "express";
import { ROOT_DIR } from "../paths.js";

// Static files and their caching. Pages name assets by URL (/assets/js/app.js, /vendor/formio/formio.full.min.js);
// every rendered page gets those URLs with the file's content hash appended (?v=<hash>), and a request carrying the
// file's current hash is answered with Cache-Control: immutable for a year: a changed file has a new hash, so a new
// URL, and browsers never use a stale copy. Requests without the hash (files that scripts load themselves, such as
// the Form.io editors or bootstrap-icons' fonts) keep a short max-age. Pages and API answers are never cached.

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

const YEAR_SECONDS = 365 * 24 * 60 * 60;
export const IMMUTABLE = `public, max-age=${YEAR_SECONDS}, immutable`;

interface Mount {
  /** URL prefix, no trailing slash. */
  prefix: string;
  dir: string;
  /** max-age for requests without the content hash. */
  maxAge: string;
}

const NM = path.join(ROOT_DIR, "node_modules");
/** Every static directory the pages load from: all local, never a CDN. */
export const STATIC_MOUNTS: readonly Mount[] = [
  { prefix: "/assets", dir: path.join(ROOT_DIR, "public"), maxAge: "1h" },
  { prefix: "/vendor/bootstrap", dir: path.join(NM, "bootstrap/dist"), maxAge: "7d" },
  { prefix: "/vendor/bootstrap-icons", dir: path.join(NM, "bootstrap-icons/font"), maxAge: "7d" },
  // Form.io and the libraries it loads lazily (editors, date picker, rich text).
  { prefix: "/vendor/formio", dir: path.join(NM, "@formio/js/dist"), maxAge: "7d" },
  { prefix: "/vendor/ace", dir: path.join(NM, "ace-builds/src-min-noconflict"), maxAge: "7d" },
  { prefix: "/vendor/flatpickr", dir: path.join(NM, "flatpickr/dist"), maxAge: "7d" },
  { prefix: "/vendor/quill", dir: path.join(NM, "quill/dist"), maxAge: "7d" },
  { prefix: "/vendor/pinyin-pro", dir: path.join(NM, "pinyin-pro/dist"), maxAge: "7d" },
  // bpmn-js viewer bundle and its CSS (process diagrams in the admin console).
  { prefix: "/vendor/bpmn-js", dir: path.join(NM, "bpmn-js/dist"), maxAge: "7d" },
  // Apache ECharts (supervision reports).
  { prefix: "/vendor/echarts", dir: path.join(NM, "echarts/dist"), maxAge: "7d" },
];

/** Content hashes of the files under the static mounts, taken again whenever a file's size or mtime changes. */
export class AssetVersions {
  private readonly known = new Map<string, { stamp: string; hash: string }>();

  constructor(private readonly mounts: readonly Mount[] = STATIC_MOUNTS) {}

  /** The file a URL path names under one of the mounts, or undefined (unknown prefix, or a path leaving the directory). */
  fileOf(urlPath: string): string | undefined {
    const mount = this.mounts.find((m) => urlPath.startsWith(`${m.prefix}/`));
    if (!mount) return undefined;
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath.slice(mount.prefix.length + 1));
    } catch {
      return undefined;
    }
    const file = path.resolve(mount.dir, rel);
    return file.startsWith(mount.dir + path.sep) ? file : undefined;
  }

  /** The first 12 hex digits of the file's SHA-256, or undefined when it is not a file. */
  hashOfFile(file: string): string | undefined {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const stamp = `${stat.size}:${stat.mtimeMs}`;
    const seen = this.known.get(file);
    if (seen?.stamp === stamp) return seen.hash;
    const hash = createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 12);
    this.known.set(file, { stamp, hash });
    return hash;
  }

  /** The URL with ?v=<content hash>; unchanged when it names no static file. */
  versioned(urlPath: string): string {
    const file = this.fileOf(urlPath);
    const hash = file ? this.hashOfFile(file) : undefined;
    return hash ? `${urlPath}?v=${hash}` : urlPath;
  }

  /** Appends the content hash to every src="/assets/…" and href="/vendor/…" in a rendered page. */
  rewrite(html: string): string {
    return html.replace(
      /(\s(?:src|href)=")(\/(?:assets|vendor)\/[^"?#]+)"/g,
      (_all, attr: string, url: string) => `${attr}${this.versioned(url)}"`,
    );
  }
}

type Engine = (file: string, options: object, callback: (err: Error | null, html?: string) => void) => void;

/** Wraps the view engine of `ext` so that every rendered page (layouts, partials, error pages) names hashed asset URLs. */
export function versionAssetUrls(app: Express, versions: AssetVersions, ext = ".hbs"): void {
  const engines = (app as unknown as { engines: Record<string, Engine> }).engines;
  const render = engines[ext];
  if (!render) throw new Error(`no view engine for ${ext}`);
  app.engine(ext, (file, options, callback) =>
    render(file, options, (err, html) => (err ? callback(err) : callback(null, versions.rewrite(html ?? "")))),
  );
}

/** Gzip or brotli (by Accept-Encoding) for every compressible answer above 1 KB: pages, JSON, scripts, styles. */
export function compressResponses() {
  return compression({ threshold: 1024 });
}

const COMPRESSIBLE = new Set([".js", ".css", ".svg", ".json", ".map", ".txt", ".html", ".mjs"]);
type Packed = { br?: Buffer; gzip?: Buffer; pending?: Promise<void> };
/** Brotli (best) and gzip (best) of hashed files, made once per file version in the background, for every app of the process. */
const PACKED = new Map<string, Packed>();

/** The file compressed with `encoding`, or undefined while it is being made (that answer is compressed on the fly). */
function packedOf(file: string, hash: string, encoding: "br" | "gzip"): Buffer | undefined {
  const key = `${file}\0${hash}`;
  let entry = PACKED.get(key);
  if (!entry) {
    entry = {};
    PACKED.set(key, entry);
    const target = entry;
    target.pending = (async () => {
      const raw = await readFile(file);
      const [br, gz] = await Promise.all([
        brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
        gzip(raw, { level: 9 }),
      ]);
      target.br = br;
      target.gzip = gz;
    })()
      .catch(() => {
        PACKED.delete(key); // tried again on a later request
      })
      .finally(() => delete target.pending);
  }
  return entry[encoding];
}

/** The static mounts; a request whose ?v= is the file's current hash is cached for a year as immutable. */
export function staticAssets(versions: AssetVersions): Router {
  const router = Router();
  for (const mount of STATIC_MOUNTS) {
    // A hashed text file is answered from its best compression once that is made (the same bytes for a year).
    router.use(mount.prefix, (req, res, next) => {
      const v = req.query.v;
      const accepted = req.headers["accept-encoding"];
      if ((req.method !== "GET" && req.method !== "HEAD") || typeof v !== "string" || !accepted) return next();
      const file = versions.fileOf(`${mount.prefix}${req.path}`);
      if (!file || !COMPRESSIBLE.has(path.extname(file).toLowerCase()) || v !== versions.hashOfFile(file)) return next();
      const encoding = req.acceptsEncodings("br") === "br" ? "br" : req.acceptsEncodings("gzip") === "gzip" ? "gzip" : null;
      const body = encoding ? packedOf(file, v, encoding) : undefined;
      if (!encoding || !body) return next();
      res.type(path.extname(file));
      res.setHeader("Content-Encoding", encoding);
      res.setHeader("Vary", "Accept-Encoding");
      res.setHeader("Cache-Control", IMMUTABLE);
      res.setHeader("ETag", `"${v}-${encoding}"`);
      if (req.fresh) return void res.status(304).end();
      res.setHeader("Content-Length", body.length);
      res.end(req.method === "HEAD" ? undefined : body);
    });
    router.use(
      mount.prefix,
      express.static(mount.dir, {
        maxAge: mount.maxAge,
        fallthrough: true,
        index: false,
        setHeaders: (res, file) => {
          const v = res.req.query.v;
          if (typeof v === "string" && v === versions.hashOfFile(file)) res.setHeader("Cache-Control", IMMUTABLE);
        },
      }),
    );
  }
  return router;
}

/** Everything after the static files (pages, API answers, downloads) is not kept by browsers or proxies unless a route says otherwise. */
export function noStoreByDefault(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader("Cache-Control", "no-store");
  next();
}
