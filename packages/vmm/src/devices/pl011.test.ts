import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RecordingIrqLine } from './irq-line.ts';
import { PL011_FR, PL011_ID, PL011_INT, PL011_REG, Pl011 } from './pl011.ts';

const R = PL011_REG;
const FEN = 0x10;

function uart(): { u: Pl011; irq: RecordingIrqLine; out: number[] } {
  const irq = new RecordingIrqLine();
  const out: number[] = [];
  return { u: new Pl011(irq, (b) => out.push(b)), irq, out };
}

describe('PL011', () => {
  it('resets like QEMU: TX and RX empty flags, CR 0x300, IFLS 0x12, no interrupt', () => {
    const { u, irq } = uart();
    assert.equal(u.read(R.FR, 4), PL011_FR.TXFE | PL011_FR.RXFE);
    assert.equal(u.read(R.CR, 4), 0x300);
    assert.equal(u.read(R.IFLS, 4), 0x12);
    for (const reg of [R.DR, R.RSR_ECR, R.ILPR, R.IBRD, R.FBRD, R.LCR_H, R.IMSC, R.RIS, R.MIS, R.DMACR]) {
      assert.equal(u.read(reg, 4), 0, `register 0x${reg.toString(16)}`);
    }
    assert.equal(irq.level, false);
  });

  it('answers the peripheral and PrimeCell IDs', () => {
    const { u } = uart();
    const ids = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u.read(0xfe0 + 4 * i, 4));
    assert.deepEqual(ids, [...PL011_ID]);
    assert.deepEqual(ids, [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    assert.equal(u.read(0xfe2, 1), 0, 'unaligned ID offsets are holes');
  });

  it('keeps what is written to the plain registers, reserved bits included, as QEMU does', () => {
    const { u } = uart();
    const cases: [number, number][] = [
      [R.ILPR, 0x1ff],
      [R.IBRD, 0x1_0027],
      [R.FBRD, 0x7f],
      [R.LCR_H, 0x70],
      [R.CR, 0x301],
      [R.IFLS, 0x3f],
      [R.IMSC, 0xffff],
      [R.DMACR, 0x3],
    ];
    for (const [reg, value] of cases) {
      u.write(reg, 4, value);
      assert.equal(u.read(reg, 4), value, `register 0x${reg.toString(16)}`);
    }
    u.write(R.FR, 4, 0);
    assert.equal(u.read(R.FR, 4) & PL011_FR.TXFE, PL011_FR.TXFE, 'FR is read-only');
    u.write(R.RIS, 4, 0x7ff);
    assert.equal(u.read(R.RIS, 4), 0, 'RIS is read-only');
  });

  it('transmits DR writes to the sink and raises TX until cleared', () => {
    const { u, irq, out } = uart();
    u.write(R.IMSC, 4, PL011_INT.TX);
    u.write(R.DR, 1, 0x148);
    u.write(R.DR, 4, 0x69);
    assert.deepEqual(out, [0x48, 0x69]);
    assert.equal(u.read(R.RIS, 4), PL011_INT.TX);
    assert.equal(u.read(R.MIS, 4), PL011_INT.TX);
    assert.equal(irq.level, true);
    u.write(R.ICR, 4, PL011_INT.TX);
    assert.equal(u.read(R.RIS, 4), 0);
    assert.equal(irq.level, false);
  });

  it('without FIFOs holds one byte, raises RX, and keeps the rest waiting', () => {
    const { u, irq } = uart();
    u.write(R.IMSC, 4, PL011_INT.RX);
    u.receive(Buffer.from('ab'));
    assert.equal(u.read(R.FR, 4), PL011_FR.TXFE | PL011_FR.RXFF);
    assert.equal(irq.level, true);
    assert.equal(u.backlog, 1);
    assert.equal(u.read(R.DR, 4), 0x61);
    assert.equal(irq.level, true, 'the next byte moved in');
    assert.equal(u.read(R.DR, 4), 0x62);
    assert.equal(u.read(R.FR, 4), PL011_FR.TXFE | PL011_FR.RXFE);
    assert.equal(irq.level, false);
    assert.equal(u.read(R.DR, 4), 0, 'empty FIFO reads 0');
  });

  it('with FIFOs fills to 16, sets RXFF, and loses nothing beyond', () => {
    const { u } = uart();
    u.write(R.LCR_H, 4, FEN | 0x60);
    u.receive(Array.from({ length: 20 }, (_, i) => 0x41 + i));
    assert.equal(u.read(R.FR, 4) & PL011_FR.RXFF, PL011_FR.RXFF);
    assert.equal(u.backlog, 4);
    const got: number[] = [];
    while (!(u.read(R.FR, 4) & PL011_FR.RXFE)) got.push(u.read(R.DR, 4));
    assert.deepEqual(
      got,
      Array.from({ length: 20 }, (_, i) => 0x41 + i),
    );
  });

  it('raises RX at the IFLS trigger level and RT for fewer bytes, both masked by IMSC', () => {
    const { u, irq } = uart();
    u.write(R.LCR_H, 4, FEN);
    u.write(R.IFLS, 4, 2 << 3); // RX at half full: 8 bytes
    u.receive([1, 2, 3]);
    assert.equal(u.read(R.RIS, 4), PL011_INT.RT, 'three bytes then silence: timeout');
    assert.equal(irq.level, false, 'masked');
    u.write(R.IMSC, 4, PL011_INT.RX | PL011_INT.RT);
    assert.equal(irq.level, true);
    u.write(R.ICR, 4, PL011_INT.RT);
    assert.equal(irq.level, false);
    u.receive([4, 5, 6, 7, 8]);
    assert.equal(u.read(R.RIS, 4) & PL011_INT.RX, PL011_INT.RX);
    assert.equal(u.read(R.MIS, 4) & PL011_INT.RX, PL011_INT.RX);
    assert.equal(irq.level, true);
    for (let i = 0; i < 8; i++) u.read(R.DR, 4);
    assert.equal(u.read(R.RIS, 4), 0, 'emptied: RX and RT both clear');
    assert.equal(irq.level, false);
  });

  it('turning FIFOs off keeps unread input for later', () => {
    const { u } = uart();
    u.write(R.LCR_H, 4, FEN);
    u.receive([1, 2, 3]);
    u.write(R.LCR_H, 4, 0);
    assert.deepEqual([u.read(R.DR, 4), u.read(R.DR, 4), u.read(R.DR, 4)], [1, 2, 3]);
  });

  it('clears RSR on an ECR write and resets to the power-on state', () => {
    const { u } = uart();
    u.write(R.RSR_ECR, 4, 0xff);
    assert.equal(u.read(R.RSR_ECR, 4), 0);
    u.write(R.CR, 4, 0x301);
    u.write(R.IMSC, 4, 0x70);
    u.reset();
    assert.equal(u.read(R.CR, 4), 0x300);
    assert.equal(u.read(R.IMSC, 4), 0);
  });
});

describe('PL011 properties', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('receive' as const), bytes: fc.uint8Array({ maxLength: 20 }) }),
    fc.record({ kind: fc.constant('read' as const), times: fc.integer({ min: 1, max: 20 }) }),
    fc.record({ kind: fc.constant('fifo' as const), on: fc.boolean() }),
    fc.record({ kind: fc.constant('ifls' as const), level: fc.integer({ min: 0, max: 7 }) }),
  );

  it('delivers every received byte once, in order, whatever the FIFO mode and trigger level', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const { u } = uart();
        const sent: number[] = [];
        const got: number[] = [];
        const readOne = () => {
          const empty = (u.read(R.FR, 4) & PL011_FR.RXFE) !== 0;
          const value = u.read(R.DR, 4);
          if (!empty) got.push(value);
          else assert.equal(value, 0);
        };
        for (const o of ops) {
          if (o.kind === 'receive') {
            u.receive(o.bytes);
            sent.push(...o.bytes);
          } else if (o.kind === 'read') for (let i = 0; i < o.times; i++) readOne();
          else if (o.kind === 'fifo') u.write(R.LCR_H, 4, o.on ? FEN : 0);
          else u.write(R.IFLS, 4, o.level << 3);
          // Flags agree with each other: full and empty never together; RX/RT only with data.
          const fr = u.read(R.FR, 4);
          assert.ok(!(fr & PL011_FR.RXFE && fr & PL011_FR.RXFF));
          if (fr & PL011_FR.RXFE) assert.equal(u.read(R.RIS, 4) & (PL011_INT.RX | PL011_INT.RT), 0);
          else assert.notEqual(u.read(R.RIS, 4) & (PL011_INT.RX | PL011_INT.RT), 0);
          assert.deepEqual(got, sent.slice(0, got.length));
        }
        while (!(u.read(R.FR, 4) & PL011_FR.RXFE)) readOne();
        assert.deepEqual(got, sent);
        assert.equal(u.backlog, 0);
      }),
      { numRuns: 300 },
    );
  });
});
