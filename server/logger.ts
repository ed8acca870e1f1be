import pino from 'pino';

export type Logger = pino.Logger;

/**
 * One logger with levels: JSON lines (pino) on stdout. `LOG_LEVEL` picks the level; tests run at `warn`.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
