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

  /**
   * Listener arrays are copy-on-write: on()/off() replace the array, never mutate it, so emit()
   * can walk the array it found without copying it first (emit runs several times per packet on
   * the data path; registration is rare). A listener added during an emit is not called by that
   * emit, and one removed during it still is, as with a snapshot.
   */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.listeners[event];
    this.listeners[event] = list ? [...list, listener] : [listener];
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
      if (i >= 0) this.listeners[event] = list.length === 1 ? undefined : [...list.slice(0, i), ...list.slice(i + 1)];
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
    if (list === undefined || list.length === 0) return false;
    // No copy: the array is never mutated (see on()).
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(...args);
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
