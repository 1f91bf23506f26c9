import { reportError } from './log.js';

/** Event name → listener argument tuple. */
export type EventMap<T> = { [K in keyof T]: unknown[] };

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * A small typed emitter for internal components. A listener that throws is
 * contained and reported (never unwinds into the protocol core), and later
 * listeners still run.
 */
export class TypedEmitter<E extends EventMap<E>> {
  private listeners: { [K in keyof E]?: Listener<E[K]>[] } = {};

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper: Listener<E[K]> = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.listeners[event];
    if (list) {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.listeners = {};
    else delete this.listeners[event];
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.listeners[event]?.length ?? 0;
  }

  /** Calls every listener; returns whether there was any. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.listeners[event];
    if (!list || list.length === 0) return false;
    for (const listener of list.slice()) {
      try {
        listener(...args);
      } catch (err) {
        reportError(err, `listener for '${String(event)}'`);
      }
    }
    return true;
  }

  /** Resolves with the arguments of the next emission of `event`. */
  waitFor<K extends keyof E>(event: K): Promise<E[K]> {
    return new Promise((resolve) => this.once(event, (...args) => resolve(args)));
  }
}
