import pino, { type Logger } from "pino";
import type { LogLevel } from "./config.js";

export type { Logger };

/** One pino logger for the process; requests get a child with their request id. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: "xinyong" }, timestamp: pino.stdTimeFunctions.isoTime });
}
