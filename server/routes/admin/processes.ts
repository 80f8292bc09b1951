import { Router, type Request, type Response } from "express";
import multer from "multer";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { processConsolePolicy } from "../../domain/processes/access.js";
import { flowElements, hasDiagramInformation } from "../../domain/processes/diagram.js";
import {
  definitionXml,
  findDefinitionVersion,
  findOpenDefinitionIncident,
  listDefinitionGroups,
  listDeployments,
  searchInstances,
  timerStartSchedule,
} from "../../domain/processes/queries.js";
import { pageNumber } from "../../domain/search.js";
import { deployProcesses } from "../../domain/processes/deployProcesses.js";
import { processInstancePolicy } from "../../policies/processInstance.js";
import { BpmnValidationError, MAX_BPMN_BYTES } from "../../engine/index.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { authorize } from "../../policies/authorize.js";
import { presentPagination } from "../../presenters/pagination.js";
import {
  definitionHref,
  presentDefinitionIncident,
  presentElements,
  presentInstanceRow,
  presentTimerStartJob,
} from "../../presenters/process.js";
import { setFlash, takeFlash } from "./forms.js";
import { processModelerRoutes } from "./processModeler.js";

// One .bpmn file per upload, kept in memory (at most MAX_BPMN_BYTES) and stored by the runtime as text.
// The CSRF check runs before multer parses the body, so the page sends the token in the X-CSRF-Token header
// (public/js/process-upload.js through xyFetch); a `_csrf` field inside the multipart body is never seen.
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_BPMN_BYTES, files: 1, fields: 5, fieldSize: 4 * 1024 } });

function definitionParam(req: Request): string {
  return String((req.params as { definitionId: string }).definitionId);
}

/** The process console's definition pages: deployments and versions, upload of a .bpmn file, the diagram. */
export function adminProcessRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db, engine } = ctx;
  const staff = requireRole("dept_admin");
  // First: /admin/processes/new and /admin/processes/:key/... must not be read as a definition id.
  router.use(processModelerRoutes(ctx));

  router.get("/admin/processes", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.read(user));
    const [groups, deployments] = await Promise.all([listDefinitionGroups(db), listDeployments(pageNumber(req.query.page))]);
    res.render("admin/processes/index", {
      title: "流程管理",
      canDeploy: processConsolePolicy.deploy(user),
      maxMb: MAX_BPMN_BYTES / 1024 / 1024,
      groups: groups.map((g) => ({
        ...g,
        href: definitionHref(g.latest.id),
        editHref: `/admin/processes/${encodeURIComponent(g.key)}/edit`,
        compareHref: g.versions.length > 1 ? `/admin/processes/${encodeURIComponent(g.key)}/compare` : null,
        instancesHref: `/admin/instances?key=${encodeURIComponent(g.key)}`,
        timerStartFailureHref: g.timerStartFailureVersionId ? `${definitionHref(g.timerStartFailureVersionId)}#timer-start-title` : null,
        versions: g.versions.map((v) => ({ ...v, href: definitionHref(v.id) })),
      })),
      deployments: deployments.rows.map((d) => ({ ...d, definitions: d.definitions.map((x) => ({ ...x, href: definitionHref(x.id) })) })),
      pagination: presentPagination(deployments, "/admin/processes", {}),
    });
  });

  // Answers JSON to process-upload.js: the deployed versions and warnings, or the element-level errors.
  router.post("/admin/processes/deployments", staff, upload.single("file"), async (req: Request, res: Response) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.deploy(user));
    const file = req.file;
    if (!file || !file.size)
      throw new ValidationError("请选择要上传的 .bpmn 文件", [{ path: "file", message: "请选择要上传的 .bpmn 文件" }]);
    if (!/\.(bpmn|bpmn20\.xml|xml)$/i.test(file.originalname)) {
      throw new ValidationError(`文件 ${file.originalname} 不是 .bpmn 文件`, [
        { path: "file", message: "只能上传 .bpmn（BPMN 2.0 XML）文件" },
      ]);
    }
    const body = (req.body ?? {}) as { name?: unknown };
    const name = typeof body.name === "string" && body.name.trim() ? body.name.trim().slice(0, 255) : file.originalname;
    try {
      const result = await deployProcesses(ctx, {
        name,
        files: [{ name: file.originalname, xml: file.buffer.toString("utf8") }],
        actor: user,
        source: "流程管理控制台",
      });
      res.status(201).json({
        deployment: { id: result.id, name: result.name },
        definitions: result.deployedProcessDefinitions.map((d) => ({
          id: d.id,
          key: d.key,
          name: d.name,
          version: d.version,
          href: definitionHref(d.id),
        })),
        warnings: result.warnings.map((w) => ({ element: w.element, rule: w.rule, message: w.message })),
      });
    } catch (err) {
      if (!(err instanceof BpmnValidationError)) throw err;
      res.status(400).json({
        error: {
          code: err.code,
          message: `流程文件 ${file.originalname} 未通过校验，没有部署`,
          details: err.problems.map((p) => ({ path: p.path, element: p.element, rule: p.rule, message: p.message })),
        },
        warnings: err.warnings.map((w) => ({ element: w.element, rule: w.rule, message: w.message })),
      });
    }
  });

  router.get("/admin/processes/:definitionId", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.read(user));
    const id = definitionParam(req);
    const found = await findDefinitionVersion(db, id);
    if (!found) throw new NotFoundError(`找不到流程定义 ${id}`);
    const [instances, timerStart] = await Promise.all([
      searchInstances(db, { definitionId: id, page: 1, pageSize: 10, departmentIds: processInstancePolicy.visibleDepartments(user) }),
      timerStartSchedule(id),
    ]);
    const hasDiagram = hasDiagramInformation(found.xml);
    const elements = flowElements(found.xml);
    const elementName = new Map(elements.map((e) => [e.id, e.name]));
    res.render("admin/processes/show", {
      title: `流程定义 ${found.version.name ?? found.version.key}（版本 ${found.version.version}）`,
      flash: takeFlash(req),
      canOperate: processConsolePolicy.operate(user),
      timerStartJobs: timerStart.jobs.map((j) => ({ ...presentTimerStartJob(j), activityName: elementName.get(j.activityId) ?? null })),
      timerStartIncidents: timerStart.incidents.map((i) => presentDefinitionIncident(i, id)),
      definition: found.version,
      editHref: `/admin/processes/${encodeURIComponent(found.version.key)}/edit?version=${found.version.version}`,
      compareHref:
        found.siblings.length > 1 ? `/admin/processes/${encodeURIComponent(found.version.key)}/compare?to=${found.version.version}` : null,
      canDeploy: processConsolePolicy.deploy(user),
      versions: found.siblings.map((v) => ({ ...v, href: definitionHref(v.id), current: v.id === id })),
      hasDiagram,
      diagramUrl: `${definitionHref(id)}/diagram.json`,
      elements: presentElements(elements),
      instances: instances.rows.map(presentInstanceRow),
      instancesTotal: instances.total,
      instancesHref: `/admin/instances?key=${encodeURIComponent(found.version.key)}`,
    });
  });

  // A timer start job's incident has no instance page: it is retried here, as an instance's incident is on its page.
  router.post("/admin/processes/:definitionId/incidents/:incidentId/retry", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.operate(user), "只有系统管理员可以重试事故");
    const id = definitionParam(req);
    const incident = await findOpenDefinitionIncident(id, String((req.params as { incidentId: string }).incidentId));
    if (!incident?.configuration) throw new NotFoundError("找不到这条未解决的事故：它可能已被处理");
    await engine.setJobRetries(incident.configuration, 1, user);
    setFlash(req, "success", "已重新安排定时启动：作业执行器会在下一轮启动流程实例");
    res.redirect(303, definitionHref(id));
  });

  router.get("/admin/processes/:definitionId/diagram.json", staff, async (req, res) => {
    authorize(processConsolePolicy.read(currentUser(req)));
    const xml = await definitionXml(definitionParam(req));
    if (xml === null) throw new NotFoundError(`找不到流程定义 ${definitionParam(req)}`);
    res.json({ xml, hasDiagram: hasDiagramInformation(xml), completed: [], current: [], incident: [] });
  });

  return router;
}
