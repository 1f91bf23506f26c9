/**
 * EventTarget with HTML event-handler attributes (`onfoo`). Setting a handler
 * registers one listener the first time, so its position among listeners is
 * where it was first set (HTML §8.1.8.1); setting null removes it.
 */
type Handler<E extends Event> = ((this: unknown, ev: E) => unknown) | null;

export class RivuletEventTarget extends EventTarget {
  #handlers = new Map<string, { handler: Handler<Event>; listener: (ev: Event) => void }>();

  protected getHandler<E extends Event>(type: string): Handler<E> {
    return (this.#handlers.get(type)?.handler as Handler<E> | undefined) ?? null;
  }

  protected setHandler<E extends Event>(type: string, handler: Handler<E>): void {
    const existing = this.#handlers.get(type);
    if (typeof handler !== 'function') {
      if (existing) {
        this.removeEventListener(type, existing.listener);
        this.#handlers.delete(type);
      }
      return;
    }
    if (existing) {
      existing.handler = handler as Handler<Event>;
      return;
    }
    const entry = {
      handler: handler as Handler<Event>,
      listener: (ev: Event) => {
        const h = entry.handler;
        if (typeof h === 'function') h.call(this, ev);
      },
    };
    this.#handlers.set(type, entry);
    this.addEventListener(type, entry.listener);
  }

  /** Dispatches and contains listener exceptions (as a browser reports them without unwinding the caller). */
  protected fire(event: Event): boolean {
    return this.dispatchEvent(event);
  }
}

/** The DOM EventInit dictionary (not among @types/node globals). */
export interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}
