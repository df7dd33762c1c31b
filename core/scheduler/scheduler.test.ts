import { describe, expect, it } from '@jest/globals';
import { InvalidScheduleError, startScheduler } from './scheduler.js';

function recordingLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    info: (obj: object, msg: string) =>
      void lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg: string) =>
      void lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('scheduler', () => {
  it('runs a task at start when asked, and on demand, logging the result', async () => {
    const log = recordingLog();
    let runs = 0;
    const scheduler = startScheduler(
      [{ name: 'count', cron: '0 0 1 1 *', runAtStart: true, run: async () => ++runs }],
      log,
    );
    await tick();
    expect(runs).toBe(1);
    expect(await scheduler.runNow('count')).toBe(2);
    await scheduler.stop();
    expect(log.lines.map((l) => [l.level, l.obj.task, l.obj.result])).toEqual([
      ['info', 'count', 1],
      ['info', 'count', 2],
    ]);
  });

  it('never runs a task twice at once: runNow waits its turn', async () => {
    let release!: () => void;
    let runs = 0;
    let finished = false;
    const scheduler = startScheduler(
      [
        {
          name: 'slow',
          cron: '0 0 1 1 *',
          run: async () => {
            runs += 1;
            if (runs === 1) await new Promise<void>((r) => (release = r));
            finished = true;
          },
        },
      ],
      recordingLog(),
    );
    const first = scheduler.runNow('slow');
    const second = scheduler.runNow('slow');
    await tick();
    expect(runs).toBe(1);
    release();
    await Promise.all([first, second]);
    expect(runs).toBe(2);
    expect(finished).toBe(true);
    await scheduler.stop();
  });

  it('stop() waits for a running task', async () => {
    let release!: () => void;
    let finished = false;
    const scheduler = startScheduler(
      [
        {
          name: 'slow',
          cron: '0 0 1 1 *',
          runAtStart: true,
          run: async () => {
            await new Promise<void>((r) => (release = r));
            finished = true;
          },
        },
      ],
      recordingLog(),
    );
    await tick();
    const stopped = scheduler.stop();
    release();
    await stopped;
    expect(finished).toBe(true);
  });

  it('logs a failing task and keeps going', async () => {
    const log = recordingLog();
    const scheduler = startScheduler(
      [{ name: 'boom', cron: '0 0 1 1 *', run: () => Promise.reject(new Error('database away')) }],
      log,
    );
    await expect(scheduler.runNow('boom')).resolves.toBeUndefined();
    expect(log.lines).toEqual([expect.objectContaining({ level: 'error', msg: 'scheduled task failed' })]);
    await expect(scheduler.runNow('missing')).rejects.toThrow('No scheduled task named missing');
    await scheduler.stop();
  });

  it('refuses a cron rule it cannot read', () => {
    expect(() =>
      startScheduler([{ name: 'bad', cron: '99 99 * * *', run: async () => undefined }], recordingLog()),
    ).toThrow(InvalidScheduleError);
  });
});
