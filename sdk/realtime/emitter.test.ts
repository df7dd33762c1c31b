import { describe, expect, it } from '@jest/globals';
import { TypedEmitter } from './emitter.js';

interface Events {
  ping: [n: number];
  error: [error: Error];
}

describe('TypedEmitter (the part of EventEmitter the SDK offers)', () => {
  it('calls listeners in order, once-listeners once, with the emitter as this', () => {
    const e = new TypedEmitter<Events>();
    const calls: string[] = [];
    e.on('ping', (n) => calls.push(`on ${n}`));
    e.once('ping', function (this: unknown, n) {
      calls.push(`once ${n} ${this === e}`);
    });
    expect(e.listenerCount('ping')).toBe(2);
    expect(e.emit('ping', 1)).toBe(true);
    expect(e.emit('ping', 2)).toBe(true);
    expect(calls).toEqual(['on 1', 'once 1 true', 'on 2']);
    expect(e.listenerCount('ping')).toBe(1);
  });

  it('off removes the last registration of a listener, a once-listener too', () => {
    const e = new TypedEmitter<Events>();
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    e.on('ping', listener).once('ping', listener);
    e.off('ping', listener);
    e.emit('ping', 1);
    e.emit('ping', 2);
    expect(seen).toEqual([1, 2]);
    e.removeListener('ping', listener);
    expect(e.emit('ping', 3)).toBe(false);
    expect(seen).toEqual([1, 2]);
  });

  it('a listener added or removed while emitting counts from the next emit', () => {
    const e = new TypedEmitter<Events>();
    const seen: string[] = [];
    const second = () => seen.push('second');
    e.on('ping', () => {
      seen.push('first');
      e.off('ping', second);
      e.on('ping', () => seen.push('added'));
    });
    e.on('ping', second);
    e.emit('ping', 1);
    expect(seen).toEqual(['first', 'second']);
    e.removeAllListeners('ping');
    expect(e.listenerCount('ping')).toBe(0);
  });

  it('an error event without a listener is not thrown; a throwing listener throws out of emit', () => {
    const e = new TypedEmitter<Events>();
    expect(e.emit('error', new Error('nobody listens'))).toBe(false);
    e.on('ping', () => {
      throw new Error('listener failed');
    });
    expect(() => e.emit('ping', 1)).toThrow('listener failed');
  });
});
