import { Router } from "express";
import { INPUT_TYPES, LAYOUT_TYPES } from "../../forms/definition.js";
import { JSONLOGIC_OPERATORS } from "../../forms/jsonLogic.js";
import { ZH_ERRORS } from "../../forms/messages.js";

/**
 * GET /forms/platform.js: what the browser's Form.io scripts must agree on with the server, from the server's own
 * constants (no copy in public/js): the component types the platform accepts, the Chinese validation messages and the
 * JSONLogic operators forms may use (formio-setup.js removes every other one from Form.io's jsonLogic).
 * Pages load it before formio-setup.js.
 */
export function formPlatformScriptRoutes(): Router {
  const router = Router();
  const script = `window.XY_FORMIO_PLATFORM = ${JSON.stringify({
    inputTypes: INPUT_TYPES,
    layoutTypes: LAYOUT_TYPES,
    errors: ZH_ERRORS,
    jsonLogicOperators: JSONLOGIC_OPERATORS,
  })};\n`;
  router.get("/forms/platform.js", (_req, res) => {
    res.type("application/javascript").set("Cache-Control", "public, max-age=3600").send(script);
  });
  return router;
}
