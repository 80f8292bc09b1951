import { randomUUID } from "node:crypto";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import session from "express-session";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import { basicAuthentication } from "./auth/basicAuth.js";
import { LoginThrottle, loginLimitsFromEnv } from "./auth/loginThrottle.js";
import { createPassport } from "./auth/passport.js";
import { DatabaseSessionStore } from "./auth/sessionStore.js";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { AppContext } from "./context.js";
import type { Database } from "./db/database.js";
import { createEngineRuntime } from "./engine/index.js";
import { Form } from "./db/models/formModels.js";
import { registerCommitmentFileAccess } from "./domain/commitments/fileAccess.js";
import { configureAudit } from "./domain/audit.js";
import { registerCommitmentServices } from "./domain/commitments/services.js";
import { caseRecorder } from "./domain/cases/recordCase.js";
import { messageNotifier } from "./domain/actions/messages.js";
import { pinFormRevision } from "./domain/processes/formBinding.js";
import { defineCommitmentFlow } from "./flows/commitment.js";
import { defineObjectionFlow } from "./flows/objection.js";
import { defineRepairFlow } from "./flows/repair.js";
import { defineSupervisionFlow } from "./flows/supervision.js";
import { FlowRegistry } from "./flows/registry.js";
import { NotFoundError } from "./errors.js";
import { AssetVersions, compressResponses, noStoreByDefault, staticAssets, versionAssetUrls } from "./http/assets.js";
import { csrfProtection, csrfToken } from "./http/csrf.js";
import { errorHandler } from "./http/errorHandler.js";
import { confineWorkers } from "./http/guards.js";
import { rejectControlCharacters } from "./http/rejectControlCharacters.js";
import { configureViews } from "./http/views.js";
import type { Logger } from "./logger.js";
import { buildNavigation } from "./presenters/navigation.js";
import { camundaErrorHandler } from "./routes/engineRest/common.js";
import { mountRoutes } from "./routes/index.js";
import { modelerBundleRoutes } from "./routes/admin/modelerBundle.js";
import type { CurrentUser } from "./auth/currentUser.js";

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  clock?: Clock;
}

const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** Builds the Express application over an open database; never listens (tests drive it with supertest). */
export function createApp(deps: AppDeps): Express & { locals: { context: AppContext } } {
  const { config, db, logger } = deps;
  configureAudit(config); // whoever builds an app audits with its configuration (key, node), not ./data
  const clock = deps.clock ?? systemClock;
  // One failure count for both password doors (login form, HTTP Basic); per node (docs/architecture.md, Security).
  const passport = createPassport(db, new LoginThrottle(loginLimitsFromEnv(), clock));
  const flows = new FlowRegistry();
  const context: AppContext = { config, db, logger, clock, passport, engine: createEngineRuntime({ db, clock, logger }), flows };
  defineCommitmentFlow(flows);
  defineRepairFlow(flows, context.engine, db);
  defineObjectionFlow(flows, context.engine, db);
  defineSupervisionFlow(flows, context.engine, db);
  // A new user task is completed against the form revision its binding names when it is created.
  context.engine.formKeys.pinWith(pinFormRevision);
  // Every flow's cases follow their instances, step by step, inside the steps' transactions.
  context.engine.lifecycle.on(caseRecorder(flows, clock));
  context.engine.lifecycle.on(messageNotifier(db, config, clock)); // 站内信, after the case recorder (the case exists)
  const app = express();
  app.locals.context = context;
  registerCommitmentServices(context.engine, db);
  registerCommitmentFileAccess();
  // Deploy-time check: every literal camunda:formKey must name a form by its plain key (as processes/commitment.bpmn writes it).
  context.engine.formKeys.use(async (keys, t) => {
    const known = new Set((await Form.findAll({ where: { key: keys }, attributes: ["key"], transaction: t })).map((f) => f.key));
    return keys.filter((k) => !known.has(k));
  });
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.set("query parser", "extended");
  configureViews(app);
  const assetVersions = new AssetVersions();
  versionAssetUrls(app, assetVersions);

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers["x-request-id"];
        const id = typeof incoming === "string" && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url?.startsWith("/vendor/") === true },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info"),
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // Form.io and bpmn-js set style attributes on elements they build.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:", "blob:"],
          fontSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          workerSrc: ["'self'", "blob:"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
        },
      },
      strictTransportSecurity: config.secureCookies,
    }),
  );

  app.use(compressResponses());

  app.get("/healthz", async (_req, res) => {
    try {
      await db.sequelize.query("SELECT 1");
      res.json({ status: "ok", database: db.dialect });
    } catch {
      res.status(503).json({ status: "unavailable", error: { code: "database_unreachable", message: "数据库不可用" } });
    }
  });

  app.use(staticAssets(assetVersions));
  // The browser modeler, bundled by esbuild on first use (server/routes/admin/modelerBundle.ts).
  app.use(modelerBundleRoutes(logger));
  app.get("/favicon.ico", (_req, res) => res.redirect(301, "/assets/favicon.svg"));
  app.use(noStoreByDefault);
  app.use(express.json({ limit: config.bodyLimit }));
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimit, parameterLimit: 1000 }));
  // Express 5 leaves req.body undefined when no parser matched (no body, another content type): every route reads {}.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    req.body ??= {};
    next();
  });
  app.use(rejectControlCharacters);
  app.use(
    session({
      name: "xy.sid",
      secret: config.sessionSecret,
      store: new DatabaseSessionStore(db),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: "lax", secure: config.secureCookies, maxAge: SESSION_TTL_MS },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(["/api", "/engine-rest"], basicAuthentication(passport));
  // Exempts only requests whose Basic credentials were verified just above; anonymous forms use a cookie-bound token.
  app.use(csrfProtection({ secret: config.sessionSecret, secureCookies: config.secureCookies }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const user = req.user as CurrentUser | undefined;
    res.locals.currentUser = user;
    res.locals.nav = buildNavigation(user, req.path);
    // Anonymous pages with a form (login, registration) ask for a token themselves: no cookie or session per visitor.
    const sessionUser = (req.session as { passport?: { user?: unknown } } | undefined)?.passport?.user;
    res.locals.csrfToken = sessionUser ? csrfToken(req, res) : "";
    res.locals.requestId = req.id;
    next();
  });
  app.use(confineWorkers);
  // What the middleware above refuses under /engine-rest (body parsing, control characters, Basic login, CSRF, the
  // worker confinement) is answered in Camunda's { type, message } shape, as everything inside that router is.
  app.use("/engine-rest", camundaErrorHandler);

  mountRoutes(app, context);

  app.use((req: Request, _res: Response, next: NextFunction) => next(new NotFoundError(`找不到页面或接口：${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app as Express & { locals: { context: AppContext } };
}
