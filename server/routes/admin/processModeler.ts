import express, { Router, type Request } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { processConsolePolicy } from "../../domain/processes/access.js";
import {
  assertMayModel,
  deployDrawnProcess,
  discardProcessDraft,
  findDraft,
  keyVersions,
  modelerOptions,
  modelerRefusal,
  PROCESS_KEY,
  versionXml,
} from "../../domain/processes/modeler.js";
import { BpmnValidationError, MAX_BPMN_BYTES } from "../../engine/index.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { authorize } from "../../policies/authorize.js";
import { definitionHref } from "../../presenters/process.js";
import { saveProcessDraft } from "../../domain/processes/modeler.js";

// The diagram travels as the request body itself (Content-Type: application/xml), up to the deploy limit: the JSON
// parser's 1 MB limit is for forms, and a drawn process with its diagram information can be larger.
const xmlBody = express.text({ type: ["application/xml", "text/xml"], limit: MAX_BPMN_BYTES });

const VersionQuery = z.object({ version: z.coerce.number().int().positive().optional() });
const CompareQuery = z.object({ from: z.coerce.number().int().positive().optional(), to: z.coerce.number().int().positive().optional() });

function keyParam(req: Request): string {
  const key = String((req.params as { key: string }).key);
  if (!PROCESS_KEY.test(key)) throw new NotFoundError(`找不到流程 ${key}`);
  return key;
}

function parseQuery<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError("版本号必须是正整数");
  return parsed.data;
}

function xmlOf(req: Request): string {
  const body: unknown = req.body;
  if (typeof body !== "string" || !body.trim()) {
    throw new ValidationError("请求中没有流程图：请以 application/xml 提交 BPMN 2.0 XML", [{ path: "xml", message: "缺少 BPMN XML" }]);
  }
  return body;
}

const problemsOf = (list: { element: string | null; rule: string; message: string; path?: string }[]) =>
  list.map((p) => ({ path: p.path ?? null, element: p.element, rule: p.rule, message: p.message }));

/** The browser modeler: new and edit pages, drafts, deploy, XML download, the pickers' lists and version comparison. */
export function processModelerRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db, engine, flows, clock } = ctx;
  const staff = requireRole("dept_admin");

  router.get("/admin/processes/new", staff, (req, res) => {
    authorize(processConsolePolicy.deploy(currentUser(req)));
    res.render("admin/processes/modeler", { title: "新建流程", isNew: true, canSave: true, versions: [] });
  });

  router.get("/admin/processes/modeler/options.json", staff, async (req, res) => {
    authorize(processConsolePolicy.deploy(currentUser(req)));
    res.json({ data: await modelerOptions(db, engine) });
  });

  router.get("/admin/processes/:key/edit", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.deploy(user));
    const key = keyParam(req);
    const { version } = parseQuery(VersionQuery, req.query);
    const [draft, versions] = await Promise.all([findDraft(key), keyVersions(key)]);
    if (!draft && !versions.length) throw new NotFoundError(`找不到流程 ${key}：它既没有草稿，也没有部署过`);
    if (version !== undefined && !versions.some((v) => v.version === version)) throw new NotFoundError(`流程 ${key} 没有版本 ${version}`);
    const refusal = await modelerRefusal(flows, user, key, draft);
    res.render("admin/processes/modeler", {
      title: `编辑流程 ${draft?.name ?? versions[0]?.name ?? key}`,
      key,
      name: draft?.name ?? versions[0]?.name ?? null,
      openVersion: version ?? null,
      canSave: !refusal,
      refusal,
      draft: draft ? { updatedAt: draft.updatedAt, updatedBy: draft.updatedBy } : null,
      versions: versions.map((v) => ({ ...v, href: definitionHref(v.id), current: v.version === version })),
      compareHref: versions.length > 1 ? `/admin/processes/${encodeURIComponent(key)}/compare` : null,
    });
  });

  // What the modeler opens: ?version=n that deployed version, else the draft, else the latest version.
  router.get("/admin/processes/:key/modeler.json", staff, async (req, res) => {
    authorize(processConsolePolicy.deploy(currentUser(req)));
    const key = keyParam(req);
    const { version } = parseQuery(VersionQuery, req.query);
    const draft = version === undefined ? await findDraft(key) : null;
    if (draft) {
      res.json({
        data: { key, source: "draft", xml: draft.xml, version: null, draft: { updatedAt: draft.updatedAt, updatedBy: draft.updatedBy } },
      });
      return;
    }
    const found = await versionXml(key, version);
    if (!found) throw new NotFoundError(version === undefined ? `找不到流程 ${key}` : `流程 ${key} 没有版本 ${version}`);
    res.json({ data: { key, source: "version", xml: found.xml, version: found.version, draft: null } });
  });

  router.put("/admin/processes/:key/draft", staff, xmlBody, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.deploy(user));
    const key = keyParam(req);
    const xml = xmlOf(req);
    await assertMayModel(flows, user, key, await findDraft(key));
    const draft = await saveProcessDraft(db, { actor: user, key, xml, now: clock.now() });
    res.json({
      data: {
        key,
        name: draft.name,
        updatedAt: draft.updatedAt,
        updatedBy: draft.updatedBy,
        editHref: `/admin/processes/${encodeURIComponent(key)}/edit`,
      },
    });
  });

  router.delete("/admin/processes/:key/draft", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.deploy(user));
    const key = keyParam(req);
    const draft = await findDraft(key);
    if (!draft) throw new NotFoundError(`流程 ${key} 没有草稿`);
    await assertMayModel(flows, user, key, draft);
    await discardProcessDraft(db, { actor: user, key, now: clock.now() });
    res.status(204).end();
  });

  // Same command and checks as the console upload and /engine-rest/deployment/create; refusals name their elements.
  router.post("/admin/processes/:key/deploy", staff, xmlBody, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.deploy(user));
    const key = keyParam(req);
    const xml = xmlOf(req);
    await assertMayModel(flows, user, key, await findDraft(key));
    try {
      const result = await deployDrawnProcess({ db, engine, flows }, { actor: user, key, xml, now: clock.now() });
      res.status(201).json({
        data: {
          deployment: { id: result.id, name: result.name },
          definitions: result.deployedProcessDefinitions.map((d) => ({
            id: d.id,
            key: d.key,
            name: d.name,
            version: d.version,
            href: definitionHref(d.id),
          })),
          warnings: problemsOf(result.warnings),
          editHref: `/admin/processes/${encodeURIComponent(key)}/edit`,
        },
      });
    } catch (err) {
      if (!(err instanceof BpmnValidationError)) throw err;
      res.status(400).json({
        error: { code: err.code, message: `流程 ${key} 未通过服务器校验，没有部署`, details: problemsOf(err.problems) },
        warnings: problemsOf(err.warnings),
      });
    }
  });

  router.get("/admin/processes/:key/versions/:version/xml", staff, async (req, res) => {
    authorize(processConsolePolicy.read(currentUser(req)));
    const key = keyParam(req);
    const version = Number((req.params as { version: string }).version);
    const found = Number.isInteger(version) && version > 0 ? await versionXml(key, version) : null;
    if (!found) throw new NotFoundError(`流程 ${key} 没有版本 ${(req.params as { version: string }).version}`);
    res.attachment(`${key}-v${found.version}.bpmn`);
    res.type("application/xml");
    res.send(found.xml);
  });

  router.get("/admin/processes/:key/compare", staff, async (req, res) => {
    authorize(processConsolePolicy.read(currentUser(req)));
    const key = keyParam(req);
    const versions = await keyVersions(key);
    if (!versions.length) throw new NotFoundError(`找不到流程 ${key}`);
    const q = parseQuery(CompareQuery, req.query);
    const to = q.to ?? versions[0]!.version;
    const from = q.from ?? versions.find((v) => v.version < to)?.version ?? to;
    for (const v of [from, to]) if (!versions.some((x) => x.version === v)) throw new NotFoundError(`流程 ${key} 没有版本 ${v}`);
    const base = `/admin/processes/${encodeURIComponent(key)}`;
    res.render("admin/processes/compare", {
      title: `比较流程 ${key} 的版本 ${from} 与 ${to}`,
      key,
      name: versions[0]!.name,
      from,
      to,
      fromUrl: `${base}/versions/${from}/xml`,
      toUrl: `${base}/versions/${to}/xml`,
      editHref: `${base}/edit`,
      versions: versions.map((v) => ({ ...v, isFrom: v.version === from, isTo: v.version === to })),
    });
  });

  return router;
}
