// How the Heimdall ID benchmark measures (bench/oidc.ts) and reports (bench/oidc-report.ts).

/** Pacing of the GET /health probe (one request in flight at a time). */
export const PROBE_INTERVAL_MS = 5;
/** monitorEventLoopDelay's sampling timer: what it records beyond this is lag. */
export const LOOP_RESOLUTION_MS = 10;
/** The sign-in rate of the goal: the paced phases start sign-ins at this rate. */
export const GOAL_SIGNINS_PER_SEC = 60;
/**
 * Every measurement is split into this many interleaved rounds (see `grants`), of 3 s at least: on a shared
 * 2-core machine single rounds of the lag ratio vary by ±0.5, their median much less.
 */
export const ROUNDS = 5;
export const roundSeconds = (durationSec: number) => Math.max(3, Math.round(durationSec / ROUNDS));

/** The median of some figures (of the rounds of a measurement). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
