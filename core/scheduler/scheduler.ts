import schedule from 'node-schedule';

/** A recurring job: a cron rule (UTC) and the work, which the scheduler never runs twice at once. */
export interface ScheduledTask {
  name: string;
  cron: string;
  /** Also run once when the scheduler starts (catch-up after downtime). */
  runAtStart?: boolean;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Runs a task now (tests, admin commands), after the current run if one is under way; resolves with its result. */
  runNow(name: string): Promise<unknown>;
  /** Cancels future runs and waits for running ones. */
  stop(): Promise<void>;
}

export interface SchedulerLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class InvalidScheduleError extends Error {}

/** The scheduler role (server/roles.ts): node-schedule with overlap protection and logged outcomes. */
export function startScheduler(tasks: readonly ScheduledTask[], log: SchedulerLog): Scheduler {
  const running = new Map<string, Promise<unknown>>();
  const jobs: schedule.Job[] = [];

  /** Starts a run; a cron tick that finds the task still running is skipped (undefined). */
  const execute = (task: ScheduledTask): Promise<unknown> => {
    if (running.has(task.name)) return Promise.resolve(undefined);
    const started = Date.now();
    const run = task
      .run()
      .then(
        (result) => {
          log.info({ task: task.name, result, ms: Date.now() - started }, 'scheduled task done');
          return result;
        },
        (err: unknown) => {
          log.error({ task: task.name, err, ms: Date.now() - started }, 'scheduled task failed');
          return undefined;
        },
      )
      .finally(() => running.delete(task.name));
    running.set(task.name, run);
    return run;
  };

  for (const task of tasks) {
    const job = schedule.scheduleJob(task.name, { rule: task.cron, tz: 'Etc/UTC' }, () => void execute(task));
    if (!job) {
      for (const j of jobs) j.cancel();
      throw new InvalidScheduleError(`The schedule "${task.cron}" of ${task.name} is not a valid cron rule.`);
    }
    jobs.push(job);
  }
  for (const task of tasks) if (task.runAtStart) void execute(task);

  const runNow = (name: string): Promise<unknown> => {
    const task = tasks.find((t) => t.name === name);
    if (!task) return Promise.reject(new Error(`No scheduled task named ${name}`));
    const current = running.get(name);
    return current ? current.then(() => runNow(name)) : execute(task);
  };

  return {
    runNow,
    async stop() {
      for (const job of jobs) job.cancel();
      await Promise.all([...running.values()]);
    },
  };
}
