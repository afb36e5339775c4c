/**
 * The target description the stub gives gdb (qXfer:features:read:target.xml): GDB's standard ARM
 * features — core registers r0-r12, sp, lr, pc and cpsr; VFPv3-D32 d0-d31 (typed as NEON unions) and
 * fpscr; and the NEON feature, which makes gdb add q0-q15. Register numbers are
 * those of gdb's ARM layout (cpsr 25, d0 26), which is also the order of the `g` packet.
 */

/** gdb register numbers. */
export const GdbReg = { pc: 15, cpsr: 25, d0: 26, fpscr: 58 } as const;

function reg(name: string, bits: number, type: string, regnum: number): string {
  return `<reg name="${name}" bitsize="${bits}" type="${type}" regnum="${regnum}"/>`;
}

/** NEON views of a D register (as gdb shows them: bytes, halfwords, words, doubleword, floats). */
const NEON_D_TYPE =
  '<vector id="neon_uint8x8" type="uint8" count="8"/>' +
  '<vector id="neon_uint16x4" type="uint16" count="4"/>' +
  '<vector id="neon_uint32x2" type="uint32" count="2"/>' +
  '<vector id="neon_float32x2" type="ieee_single" count="2"/>' +
  '<union id="neon_d">' +
  '<field name="u8" type="neon_uint8x8"/><field name="u16" type="neon_uint16x4"/>' +
  '<field name="u32" type="neon_uint32x2"/><field name="u64" type="uint64"/>' +
  '<field name="f32" type="neon_float32x2"/><field name="f64" type="ieee_double"/>' +
  '</union>';

/** The whole target.xml. */
export function armTargetXml(): string {
  const core = Array.from({ length: 13 }, (_, i) => reg(`r${i}`, 32, 'int', i));
  core.push(reg('sp', 32, 'data_ptr', 13), reg('lr', 32, 'int', 14), reg('pc', 32, 'code_ptr', 15));
  core.push(reg('cpsr', 32, 'int', GdbReg.cpsr));
  const vfp = Array.from({ length: 32 }, (_, i) => reg(`d${i}`, 64, 'neon_d', GdbReg.d0 + i));
  vfp.push(reg('fpscr', 32, 'int', GdbReg.fpscr));
  return (
    '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">' +
    '<target><architecture>arm</architecture>' +
    `<feature name="org.gnu.gdb.arm.core">${core.join('')}</feature>` +
    `<feature name="org.gnu.gdb.arm.vfp">${NEON_D_TYPE}${vfp.join('')}</feature>` +
    '<feature name="org.gnu.gdb.arm.neon"></feature>' +
    '</target>'
  );
}
