/** A tiny observable value; views subscribe through `useStore` (ui/use-store.ts). */
export class Store<T extends object> {
  private value: T;
  private readonly subs = new Set<(v: T) => void>();

  constructor(initial: T) {
    this.value = initial;
  }

  get(): T {
    return this.value;
  }

  /** Shallow-merges `patch` and notifies subscribers. */
  set(patch: Partial<T>): void {
    this.value = { ...this.value, ...patch };
    for (const fn of [...this.subs]) fn(this.value);
  }

  subscribe(fn: (v: T) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
}
