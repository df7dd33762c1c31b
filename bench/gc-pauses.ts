import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** This process's garbage-collection pauses over a stretch of time: each one stops the event loop. */
export interface GcPauses {
  /** Milliseconds paused per second. */
  msPerSec: number;
  /** The longest single pause, ms. */
  longestMs: number;
  /** Young-generation collections (scavenges) per second, the most frequent kind. */
  scavengesPerSec: number;
}

/** Starts watching; the function returned stops and sums up (entries arrive asynchronously: it waits a turn). */
export function watchGc(): () => Promise<GcPauses> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const started = performance.now();
  return async () => {
    await new Promise((resolve) => setImmediate(resolve));
    observer.disconnect();
    const seconds = (performance.now() - started) / 1000;
    const round = (v: number) => Math.round(v * 100) / 100;
    const minor = entries.filter(
      (e) =>
        (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
        constants.NODE_PERFORMANCE_GC_MINOR,
    ).length;
    return {
      msPerSec: round(entries.reduce((ms, e) => ms + e.duration, 0) / seconds),
      longestMs: round(Math.max(0, ...entries.map((e) => e.duration))),
      scavengesPerSec: round(minor / seconds),
    };
  };
}
