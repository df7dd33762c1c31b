type Listener<Args extends unknown[]> = (...args: Args) => void;

interface Entry {
  /** A Listener of the event's arguments. */
  listener: unknown;
  once: boolean;
}

/**
 * A typed event emitter with the part of Node's EventEmitter the SDK's users call (`on`, `once`, `off`,
 * `emit`, `listenerCount`, `removeAllListeners`), and none of Node: the SDK runs in browsers too.
 *
 * As in Node: listeners run synchronously, in the order they were added; a listener added twice runs twice;
 * `off` removes the most recently added registration of a listener, `once` registrations included; a listener
 * that throws stops the emit and the error reaches the emitter. Unlike Node, an 'error' event without a
 * listener is not thrown: the client only emits it when someone listens.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly eventListeners = new Map<keyof Events, Entry[]>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    return this.add(event, listener, false);
  }

  addListener<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    return this.add(event, listener, false);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    return this.add(event, listener, true);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const entries = this.eventListeners.get(event) ?? [];
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      if (entries[i]!.listener === listener) {
        this.remove(event, entries[i]!);
        break;
      }
    }
    return this;
  }

  removeListener<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) this.eventListeners.clear();
    else this.eventListeners.delete(event);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.eventListeners.get(event)?.length ?? 0;
  }

  /** Calls the event's listeners; true when there was at least one. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const entries = this.eventListeners.get(event);
    if (!entries) return false;
    // Listeners added or removed by a listener take effect from the next emit, as in Node.
    for (const entry of [...entries]) {
      if (entry.once) this.remove(event, entry);
      (entry.listener as Listener<Events[K]>).apply(this, args);
    }
    return true;
  }

  private add<K extends keyof Events>(event: K, listener: Listener<Events[K]>, once: boolean): this {
    const entries = this.eventListeners.get(event) ?? [];
    entries.push({ listener, once });
    this.eventListeners.set(event, entries);
    return this;
  }

  private remove(event: keyof Events, entry: Entry): void {
    const entries = this.eventListeners.get(event);
    const index = entries?.indexOf(entry) ?? -1;
    if (!entries || index < 0) return;
    entries.splice(index, 1);
    if (entries.length === 0) this.eventListeners.delete(event);
  }
}
