import { AppError } from '../errors/index.js';

/**
 * Turns pushed events into an async iterator for one subscriber (GraphQL subscriptions). Memory is bounded: a
 * subscriber more than `maxQueued` events behind is ended with `subscription.too_slow` rather than buffered
 * without limit. Ending the iteration (client unsubscribes, socket closes) detaches the listener.
 */
export function eventIterator<T>(
  attach: (push: (event: T) => void) => () => void,
  maxQueued = 1000,
): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let failure: AppError | undefined;
  let done = false;
  let fail: ((err: unknown) => void) | undefined;

  const detach = attach((event) => {
    if (done) return;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      fail = undefined;
      resolve({ value: event, done: false });
      return;
    }
    queue.push(event);
    if (queue.length > maxQueued) {
      failure = new AppError(
        'subscription.too_slow',
        429,
        `This subscriber fell ${maxQueued} events behind.`,
      );
      queue.length = 0;
      finish();
    }
  });

  function finish(): void {
    if (done) return;
    done = true;
    detach();
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      if (failure && fail) fail(failure);
      else resolve({ value: undefined, done: true });
    }
  }

  return {
    next() {
      if (queue.length > 0) return Promise.resolve({ value: queue.shift()!, done: false });
      if (failure) return Promise.reject(failure);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        fail = reject;
      });
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) {
      finish();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
