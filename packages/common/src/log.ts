import createDebug from 'debug';

/**
 * Logging through `debug`, one namespace per package (`rivulet:ice`,
 * `rivulet:dtls`, ...). Enable with DEBUG=rivulet:* .
 */
export interface Logger {
  debug(format: string, ...args: unknown[]): void;
  warn(format: string, ...args: unknown[]): void;
  error(format: string, ...args: unknown[]): void;
  readonly enabled: boolean;
}

export function createLogger(namespace: string): Logger {
  const base = createDebug(`rivulet:${namespace}`);
  const warn = createDebug(`rivulet:${namespace}:warn`);
  const error = createDebug(`rivulet:${namespace}:error`);
  return {
    debug: (f, ...a) => base(f, ...a),
    warn: (f, ...a) => warn(f, ...a),
    error: (f, ...a) => error(f, ...a),
    get enabled() {
      return base.enabled;
    },
  };
}

export type ErrorReporter = (error: unknown, context: string) => void;

let reporter: ErrorReporter = (error, context) => {
  // A listener threw: the application must learn about it, but the protocol
  // machinery that called the listener must carry on.
  console.error(`[rivulet] exception in ${context}:`, error);
};

/** Replaces how contained exceptions (e.g. from event listeners) are reported. */
export function setErrorReporter(next: ErrorReporter): void {
  reporter = next;
}

export function reportError(error: unknown, context: string): void {
  try {
    reporter(error, context);
  } catch {
    // a reporter that throws must not break the caller either
  }
}
