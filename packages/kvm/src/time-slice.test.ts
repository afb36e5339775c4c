import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as a from './test-support/asm.ts';
import { GICD_BASE, makeVm, RAM_BASE, setReg32 } from './test-support/guest.ts';
import { Errno, KVM_RUN, KVM_SET_MP_STATE, KvmMpState, KvmRegId, PsciFn } from './uapi.ts';
import { CHUNK } from './vcpu.ts';

const PSCI_0_2 = 1 << 1;
const SLICE = 1000;
/** Iterations of the guest's polling loop: far more instructions than one time slice. */
const POLLS = 20_000;

/** SUB rd, rn, #imm8. */
const subi = (rd: number, rn: number, imm: number): number =>
  (0xe0000000 | 0x02400000 | (rn << 16) | (rd << 12) | imm) >>> 0;

/**
 * A guest that polls something KVM answers inside KVM_RUN (a PSCI call, a VGIC register) POLLS
 * times and then spins on a branch to itself: the shape of a boot CPU waiting for AFFINITY_INFO or
 * for a GIC bit while another vCPU must run to change it.
 */
function pollingGuest(poll: number[]): number[] {
  const loop = [...poll, subi(4, 4, 1), a.cmpi(4, 0)];
  return [a.movw(4, POLLS), ...loop, a.bcond(1, -loop.length), a.b(0)];
}

describe('KVM_RUN time slices with exits handled inside the kernel', () => {
  const cases: Record<string, number[]> = {
    'a PSCI call (HVC)': [...a.mov32(0, PsciFn.AFFINITY_INFO), a.movw(1, 1), a.movw(2, 0), a.hvc()],
    'a VGIC distributor register': [...a.mov32(3, GICD_BASE + 0x200), a.ldr(0, 3)],
  };
  for (const [what, poll] of Object.entries(cases)) {
    test(`a vCPU polling ${what} yields to a runnable sibling when its slice ends`, () => {
      const { vcpus, ram } = makeVm({ vcpus: 2, features: PSCI_0_2, kvm: { timeSlice: SLICE } });
      const [boot, other] = [vcpus[0]!, vcpus[1]!];
      a.place(ram, 0, pollingGuest(poll));
      a.place(ram, 0x1000, [a.b(0)]);
      assert.equal(setReg32(boot, KvmRegId.PC, RAM_BASE), 0);
      assert.equal(setReg32(other, KvmRegId.PC, RAM_BASE + 0x1000), 0);
      assert.equal(other.ioctl(KVM_SET_MP_STATE, { mp_state: KvmMpState.RUNNABLE }), 0);

      assert.equal(boot.ioctl(KVM_RUN), -Errno.EINTR);
      // the slice is checked between chunks of instructions, so a run may overshoot it by one chunk
      assert.ok(
        boot.cpu.retired < SLICE + CHUNK + 64,
        `KVM_RUN returned after ${boot.cpu.retired} instructions, not at the end of its ${SLICE}-instruction slice`,
      );
    });
  }
});
