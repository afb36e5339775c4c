/** The monitor against a real virt machine running the hanging guest, in process. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VirtMachine } from '../board/virt-machine.ts';
import { IMAGE_BASE, UDF_AT, undefinedLoopImage } from '../test-support/hanging-guest.ts';
import { Monitor, MONITOR_PROMPT } from './monitor.ts';

function machineWithMonitor(smp = 1) {
  const machine = VirtMachine.create({
    ramSize: 16 * 2 ** 20,
    smp,
    kernel: undefinedLoopImage(),
    output: () => {},
  });
  let written = '';
  const monitor = new Monitor(machine, { product: 'armvm 9.9', write: (text) => (written += text) });
  return { machine, monitor, written: () => written };
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

describe('monitor', () => {
  test('before the first instruction: the boot registers, both vCPUs, memory as loaded', async () => {
    const { machine, monitor } = machineWithMonitor(2);
    try {
      const regs = await monitor.execute('info registers');
      assert.match(regs, new RegExp(`R15=${hex8(IMAGE_BASE)}\n`));
      assert.match(regs, /\nPSR=000001d3 ---- A svc32\n/);
      assert.match(regs, /\n {5}usr +\*svc +abt +und +irq +fiq\n/);
      assert.match(regs, /\nDFSR=\w{8} DFAR=\w{8} IFSR=\w{8} IFAR=\w{8} VBAR=00000000\n$/);
      assert.equal(
        await monitor.execute('info cpus'),
        `* CPU #0: pc=0x${hex8(IMAGE_BASE)} (running)\n  CPU #1: pc=0x00000000 (powered off)\n`,
      );
      assert.equal(await monitor.execute('cpu 1'), '');
      assert.match(await monitor.execute('info cpus'), /^ {2}CPU #0: .*\n\* CPU #1: /);
      assert.equal(await monitor.execute('cpu 2'), 'cpu: no vCPU 2 (0..1)\n');
      assert.equal(await monitor.execute('cpu 0'), '');
      assert.equal(
        await monitor.execute(`x /3xw 0x${hex8(IMAGE_BASE)}`),
        `${hex8(IMAGE_BASE)}: 0xe59f0010 0xee0c0f10 0xe7f000f0\n`,
      );
      assert.equal(
        await monitor.execute('xp /2xw $pc+8'),
        `${IMAGE_BASE.toString(16).padStart(16, '0').replace(/0$/, '8')}: 0xe7f000f0 0xeafffffe\n`,
      );
      assert.equal(await monitor.execute('xp 0x09000000'), '0000000009000000: Cannot access memory\n');
      assert.equal(await monitor.execute('frobnicate'), "unknown command: 'frobnicate'\n");
    } finally {
      machine.dispose();
    }
  });

  test('a hanging guest located: stop, the registers at the loop, cont, system_reset, quit', async () => {
    const { machine, monitor } = machineWithMonitor();
    try {
      const run = machine.run();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await monitor.execute('info status'), 'VM status: running\n');
      assert.equal(await monitor.execute('stop'), '');
      assert.equal(await monitor.execute('info status'), 'VM status: paused\n');
      const regs = await monitor.execute('info registers');
      // the guest is at its UDF, and the und bank says it has been taking that exception
      assert.match(regs, new RegExp(`R15=${hex8(UDF_AT)}\n`));
      assert.match(regs, new RegExp(`\nR14 {2}(\\w{8} ){3}${hex8(UDF_AT + 4)} `));
      assert.match(regs, /\nSPSR -------- (\w{8} ){2}000001d3 /);
      assert.match(regs, new RegExp(`VBAR=${hex8(IMAGE_BASE + 0x100)}`));
      assert.equal(await monitor.execute('x /1xw $pc'), `${hex8(UDF_AT)}: 0xe7f000f0\n`);
      assert.equal(await monitor.execute('info cpus'), `* CPU #0: pc=0x${hex8(UDF_AT)} (paused)\n`);
      assert.equal(await monitor.execute('cont'), '');
      assert.equal(await monitor.execute('info status'), 'VM status: running\n');
      assert.equal(await monitor.execute('stop'), '');
      assert.equal(await monitor.execute('system_reset'), '');
      await new Promise((r) => setTimeout(r, 50));
      // reset while paused: the boot state again, still paused
      assert.equal(await monitor.execute('info status'), 'VM status: paused\n');
      assert.match(await monitor.execute('info registers'), new RegExp(`R15=${hex8(IMAGE_BASE)}\n`));
      assert.equal(await monitor.execute('quit'), '');
      assert.deepEqual(await run, { kind: 'stopped', reason: 'quit from the monitor' });
    } finally {
      machine.dispose();
    }
  });

  test('on the terminal: a greeting once, a prompt after each answer, each line echoed before its answer', async () => {
    const { machine, monitor, written } = machineWithMonitor();
    try {
      monitor.focus();
      monitor.feed(Buffer.from('hel\x7fLp\rinfo\r\n'));
      monitor.focus();
      await new Promise((r) => setTimeout(r, 20));
      const text = written();
      assert.ok(
        text.startsWith(`armvm 9.9 monitor - type 'help' for more information\r\n${MONITOR_PROMPT}hel\b \b`),
      );
      assert.ok(
        text.includes(`(armvm) hel\b \bLp\r\nunknown command: 'heLp'\r\n(armvm) info\r\ninfo registers -- `),
        JSON.stringify(text),
      );
      assert.equal(text.split('monitor - type').length, 2, 'the greeting is said once');
      assert.ok(text.endsWith(MONITOR_PROMPT));
    } finally {
      machine.dispose();
    }
  });
});
