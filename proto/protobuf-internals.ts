import protobuf from 'protobufjs/minimal.js';

/**
 * The one module that reconfigures protobufjs: 64-bit fields (offsets, times in ms) decode as plain numbers, not
 * Long objects; neither reaches 2^53. protobufjs picks Long up from its own `long` dependency when it loads;
 * clearing `protobuf.util.Long` and calling `protobuf.configure()` (which rebuilds the reader's 64-bit methods
 * from it) makes `reader.uint64()`/`int64()` return numbers again, for every protobufjs user in the process.
 *
 * Why not the public conversion (`toObject(message, { longs: Number })`) or `Number(long)` at each use: every
 * realtime client decodes every publication, and building a Long object per 64-bit field more than doubles the
 * cost of decoding one (docs/performance.md, realtime).
 *
 * Checked against protobufjs >=8.8.1 <9.0.0 (installed: 8.8.1); protobuf-internals.test.ts fails when the
 * installed version leaves that range or 64-bit fields decode as anything but numbers.
 */
export const PROTOBUFJS_CHECKED_FROM = '8.8.1';
export const PROTOBUFJS_CHECKED_BELOW = '9.0.0';

protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();
