/**
 * What a test asks of QEMU, as `armvm run` options, or why armvm's board cannot give it. armvm's
 * `virt` board is QEMU's for ARMv7 with highmem off and a GICv2, without EL2; a test that
 * needs more is skipped with the reason, as QEMU's own runner skips what its machine lacks.
 */

/** The armvm options for one test, or the reason it cannot run here. */
export type BoardOptions =
  | { readonly kind: 'run'; readonly args: readonly string[] }
  | { readonly kind: 'skip'; readonly reason: string };

/** The GIC version of armvm's board. */
const BOARD_GIC = 2;
/** QEMU CPU models armvm's vCPU stands for: the Cortex-A15 (also as KVM's "host" on an A15 host). */
const CPUS = new Set(['cortex-a15', 'host', 'max']);
/** The most vCPUs `armvm run --smp` takes. */
export const MAX_VCPUS = 8;
/** QEMU options followed by a value. */
const TAKES_VALUE = new Set([
  '-m',
  '-smp',
  '-append',
  '-machine',
  '-M',
  '-cpu',
  '-icount',
  '-device',
  '-global',
]);

/**
 * Maps `params` (QEMU options after shell expansion), the vCPU count and the guest's command line
 * onto `armvm run` arguments (without `--kernel`).
 */
export function boardOptions(
  params: readonly string[],
  smp: number,
  append: string | undefined,
): BoardOptions {
  // the suite's own runner adds QEMU's PCI test device whenever the emulator has it; so do we
  const args: string[] = ['-device', 'pci-testdev'];
  let cpus = smp;
  let cmdline = append;
  const skip = (reason: string): BoardOptions => ({ kind: 'skip', reason });
  for (let i = 0; i < params.length; i++) {
    const opt = params[i]!;
    const takesValue = TAKES_VALUE.has(opt);
    const value = takesValue ? params[i + 1] : undefined;
    if (takesValue) {
      if (value === undefined) return skip(`QEMU option ${opt} without a value`);
      i++;
    }
    switch (opt) {
      case '-m':
        args.push('-m', value!);
        break;
      case '-smp':
        cpus = Number(value!.replace(/^cpus=/, '').split(',')[0]);
        break;
      case '-append':
        cmdline = value;
        break;
      case '-machine':
      case '-M':
        for (const prop of value!.split(',')) {
          const [key, v = ''] = prop.split('=', 2) as [string, string?];
          if (key === 'virt' || key === 'type' || key === 'highmem') continue;
          if (key === 'gic-version') {
            if (v === String(BOARD_GIC) || v === 'host') continue;
            return skip(`needs gic-version=${v}: armvm's virt board has a GICv${BOARD_GIC}`);
          }
          return skip(`needs -machine ${prop}: armvm's virt board has no such option`);
        }
        break;
      case '-cpu':
        if (!CPUS.has(value!.split(',')[0]!))
          return skip(`needs -cpu ${value}: armvm's vCPU is a Cortex-A15`);
        break;
      case '-device':
        if (value === 'pci-testdev') break; // already there
        return skip(`needs -device ${value}: armvm's virt board has no such device`);
      case '-icount':
        return skip('needs -icount (instruction counting of QEMU TCG): armvm runs the guest through KVM');
      default:
        return skip(`needs QEMU option ${takesValue ? `${opt} ${value}` : opt}: armvm has no equivalent`);
    }
  }
  if (!Number.isInteger(cpus) || cpus < 1) return skip(`bad vCPU count "${cpus}"`);
  if (cpus > MAX_VCPUS) return skip(`needs ${cpus} vCPUs: armvm's board takes at most ${MAX_VCPUS}`);
  args.push('--smp', String(cpus));
  if (cmdline !== undefined) args.push('--append', cmdline);
  return { kind: 'run', args };
}
