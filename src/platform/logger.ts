/**
 * Structured JSON logs, one object per line, so log shippers can index requestId,
 * error stacks and timings without parsing prose. pino writes them; this interface
 * keeps callers to `logger.info(msg, fields)` whatever the library underneath.
 */
import pino from 'pino';
import type { LogLevel } from './config';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Where lines go: stdout by default (synchronously, so a line logged just before exit is not lost). */
export type LogDestination = { write(line: string): void };

/** Errors are logged under `err`; pino's serializer keeps type, message, stack, code and the `cause` chain. */
const SERIALIZERS = { err: pino.stdSerializers.errWithCause };

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (fields) => wrap(p.child(fields)),
  };
}

export function createLogger(level: LogLevel, base: LogFields = {}, destination: LogDestination = pino.destination({ dest: 1, sync: true })): Logger {
  return wrap(
    pino(
      {
        level,
        base,
        timestamp: pino.stdTimeFunctions.isoTime,
        // Level names ("error"), not numbers: readable, and what the earlier format wrote.
        formatters: { level: (label) => ({ level: label }) },
        serializers: SERIALIZERS,
      },
      destination,
    ),
  );
}
