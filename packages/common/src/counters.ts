/**
 * Named monotonically increasing counters, e.g. packets dropped per reason.
 * Layers expose them so tests and getStats can see what was discarded.
 */
export class Counters<K extends string = string> {
  private readonly values = new Map<K, number>();

  inc(name: K, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: K): number {
    return this.values.get(name) ?? 0;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}
