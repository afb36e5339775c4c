import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodePacket, fromHex, RspDecoder, toHex, unescapePayload } from './rsp-packet.ts';

describe('RSP packets', () => {
  test('a known packet: $g#67, and the checksum of an escaped payload', () => {
    assert.equal(Buffer.from(encodePacket('g')).toString(), '$g#67');
    assert.equal(
      Buffer.from(encodePacket('a#b')).toString(),
      '$a}\x03b#' + ((0x61 + 0x7d + 0x03 + 0x62) & 0xff).toString(16),
    );
  });

  test('any payload survives encoding and decoding, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 17 }), (payload, step) => {
        const wire = encodePacket(payload);
        const d = new RspDecoder();
        const events = [];
        for (let i = 0; i < wire.length; i += step) events.push(...d.feed(wire.subarray(i, i + step)));
        assert.deepEqual(events, [{ kind: 'packet', payload }]);
      }),
    );
  });

  test('packets, acks and Ctrl-C interleave; a corrupted checksum is reported', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('+'), fc.constant('\x03'), fc.string({ maxLength: 20 }))),
        (items) => {
          const d = new RspDecoder();
          const wire = Buffer.concat(
            items.map((it) =>
              it === '+' || it === '\x03' ? Buffer.from(it) : Buffer.from(encodePacket(it)),
            ),
          );
          const events = d.feed(wire);
          assert.deepEqual(
            events,
            items.map((it) =>
              it === '+'
                ? { kind: 'ack' }
                : it === '\x03'
                  ? { kind: 'interrupt' }
                  : { kind: 'packet', payload: Uint8Array.from(Buffer.from(it, 'latin1')) },
            ),
          );
        },
      ),
    );
    assert.deepEqual(new RspDecoder().feed(Buffer.from('$g#00')), [{ kind: 'bad-checksum' }]);
  });

  test("gdb's run-length encoding expands: 0* (repeat 7 more) gives eight zeros", () => {
    assert.equal(Buffer.from(unescapePayload(Buffer.from('0*$'))).toString(), '00000000');
  });

  test('hex round trip; non-hex is refused', () => {
    fc.assert(fc.property(fc.uint8Array(), (b) => assert.deepEqual(fromHex(toHex(b)), b)));
    assert.equal(fromHex('0g'), null);
    assert.equal(fromHex('abc'), null);
  });
});
