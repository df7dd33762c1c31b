import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs/minimal.js';
import { installedVersion, withinRange } from '../test/support/installed.js';
import { wire } from './index.js';
import { PROTOBUFJS_CHECKED_BELOW, PROTOBUFJS_CHECKED_FROM } from './protobuf-internals.js';

/** Fails on a protobufjs upgrade that changes what protobuf-internals.ts relies on: re-check it, then move the range. */
describe('protobufjs internals', () => {
  it('the installed protobufjs is within the checked range', () => {
    expect(
      withinRange(installedVersion('protobufjs'), PROTOBUFJS_CHECKED_FROM, PROTOBUFJS_CHECKED_BELOW),
    ).toBe(true);
  });

  it('decodes 64-bit fields as plain numbers once configured', () => {
    expect(protobuf.util.Long).toBeFalsy();
    const timeMs = 1_764_000_000_000;
    const bytes = wire.ServerMessage.encode(
      wire.ServerMessage.create({ publication: { channel: 'c', offset: 2 ** 40 + 3, timeMs } }),
    ).finish();
    const { publication } = wire.ServerMessage.decode(bytes);
    expect(publication?.offset).toBe(2 ** 40 + 3);
    expect(publication?.timeMs).toBe(timeMs);
    const reader = protobuf.Reader.create(protobuf.Writer.create().uint64(7).int64(-2).finish());
    expect(reader.uint64()).toBe(7);
    expect(reader.int64()).toBe(-2);
  });
});
