import type { SystemResult } from './realtime-measure.js';

/** What bench/realtime.ts measures; defined beside its tables so that the runner imports the report, not both ways. */
export interface RealtimeBenchResult {
  connections: number;
  payloadBytes: number;
  referenceRate: number;
  loadAverage: [number, number];
  cores: number;
  fdLimit: string;
  systems: SystemResult[];
}

/** The realtime benchmark's tables and goal checks. */
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

export function printRealtimeBench(r: RealtimeBenchResult): void {
  console.log(
    `\nRealtime fan-out: ${fmt(r.connections)} connections on one channel, one publisher, ${r.payloadBytes}-byte payloads ` +
      `(${r.cores} cores, load ${r.loadAverage[0].toFixed(2)} → ${r.loadAverage[1].toFixed(2)}, fd limit ${r.fdLimit})`,
  );
  console.log(
    '| system | max sustained deliveries/s | at publications/s | p50 ms | p99 ms | cpu server/clients/redis % | ' +
      `p50 / p99 ms at ${r.referenceRate.toFixed(0)} pub/s | RSS per idle connection |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.systems) {
    const b = s.best;
    const ref = s.reference;
    console.log(
      `| ${s.name} | ${b ? fmt(b.deliveriesPerSec) : '–'} | ${b ? b.rate.toFixed(1) : '–'} | ${ms(b?.p50Ms ?? NaN)} | ${ms(b?.p99Ms ?? NaN)} | ` +
        `${b ? `${b.cpu.server.toFixed(0)}/${b.cpu.clients.toFixed(0)}/${b.cpu.redis.toFixed(0)}` : '–'} | ` +
        `${ref ? `${ms(ref.p50Ms)} / ${ms(ref.p99Ms)}${ref.sustained ? '' : ' (not sustained)'}` : '–'} | ` +
        `${(s.bytesPerConnection / 1024).toFixed(1)} KB |`,
    );
  }
  for (const s of r.systems) {
    console.log(`\n${s.name}: every step (publications/s → deliveries/s)`);
    console.log(
      '| pub/s | deliveries/s | delivered | p50 ms | p99 ms | drain ms | closed | cpu server/clients/redis % |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const step of s.steps) {
      console.log(
        `| ${step.rate.toFixed(1)} | ${fmt(step.deliveriesPerSec)} | ${fmt(step.received)}/${fmt(step.expected)} | ${ms(step.p50Ms)} | ${ms(step.p99Ms)} | ${step.drainMs.toFixed(0)} | ${step.closed} | ${step.cpu.server.toFixed(0)}/${step.cpu.clients.toFixed(0)}/${step.cpu.redis.toFixed(0)} |`,
      );
    }
  }
  const heimdall = r.systems.find((s) => s.name.startsWith('Heimdall'));
  const sio = r.systems.find((s) => s.name.startsWith('Socket.IO'));
  if (!heimdall) return;
  const check = (ok: boolean, text: string) => console.log(`${ok ? '✓' : '✗'} ${text}`);
  const best = heimdall.best?.deliveriesPerSec ?? 0;
  console.log('');
  check(best >= 300_000, `≥ 300,000 deliveries/s: ${fmt(best)}`);
  if (sio) {
    const ratio = best / (sio.best?.deliveriesPerSec ?? NaN);
    check(ratio >= 2, `≥ 2× Socket.IO: ${Number.isFinite(ratio) ? ratio.toFixed(2) : '–'}×`);
  }
  const refP99 = heimdall.reference?.p99Ms ?? NaN;
  check(
    refP99 < 50 && heimdall.reference?.sustained === true,
    `p99 < 50 ms at ${fmt(r.referenceRate * heimdall.connections)} deliveries/s: ${ms(refP99)} ms`,
  );
  check(
    heimdall.bytesPerConnection <= 10 * 1024,
    `≤ 10 KB per idle connection: ${(heimdall.bytesPerConnection / 1024).toFixed(1)} KB`,
  );
  if (heimdall.failed > 0 || (sio?.failed ?? 0) > 0) process.exitCode = 1;
}
