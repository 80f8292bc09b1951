import { Router } from "express";
import { INPUT_TYPES, LAYOUT_TYPES, PRESETS, REFUSED_TYPES, TABS, TYPE_NAMES } from "../../forms/components.js";
import { KEY_PATTERN, MAX_KEY_LENGTH } from "../../forms/definition.js";
import { JSONLOGIC_OPERATORS } from "../../forms/jsonLogic.js";
import { ZH_ERRORS } from "../../forms/messages.js";

/** What /forms/platform.js sets as window.XY_FORMIO_PLATFORM (exported for the test that compares it). */
export const PLATFORM = {
  /** Input components the server stores as they are. */
  inputTypes: INPUT_TYPES,
  /** Layout and display components (no data, no key needed). */
  layoutTypes: LAYOUT_TYPES,
  /** Palette entries the server stores as another type: address -> a container of 省/市/区县/详细地址. */
  presets: PRESETS,
  /** Types refused by design, with the reason (the builder does not offer them). */
  refusedTypes: REFUSED_TYPES,
  /** Chinese names of component types and of the builder's settings tabs, as refusals name them. */
  typeNames: TYPE_NAMES,
  tabs: TABS,
  /** Component keys: Form.io's pattern without the dot, not all digits, at most maxKeyLength characters. */
  keyPattern: KEY_PATTERN.source,
  maxKeyLength: MAX_KEY_LENGTH,
  errors: ZH_ERRORS,
  jsonLogicOperators: JSONLOGIC_OPERATORS,
};

/**
 * GET /forms/platform.js: what the browser's Form.io scripts must agree on with the server, from the server's own
 * constants (no copy in public/js): the component types the platform accepts (the builder's palette), the Chinese
 * validation messages and the JSONLogic operators forms may use (formio-setup.js removes every other one from
 * Form.io's jsonLogic). Pages load it before formio-setup.js.
 */
export function formPlatformScriptRoutes(): Router {
  const router = Router();
  const script = `window.XY_FORMIO_PLATFORM = ${JSON.stringify(PLATFORM)};\n`;
  router.get("/forms/platform.js", (_req, res) => {
    res.type("application/javascript").set("Cache-Control", "public, max-age=3600").send(script);
  });
  return router;
}
