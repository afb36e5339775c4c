/* Where PSCI CPU_ON starts a secondary CPU (SVC mode, r0 = context id): stacks for every mode in
   this CPU's slice of smp_stacks, VBAR, VFP, then secondary_main(cpu, context) and CPU_OFF. */
#include "start.inc"

    .text
    .global secondary_entry
    .type   secondary_entry, %function
secondary_entry:
    mrs     r6, cpsr                @ as CPU_ON left it, for the programs to report
    mov     r5, r0                  @ the context id
    mrc     p15, 0, r4, c0, c0, 5   @ MPIDR
    and     r4, r4, #0xff           @ Aff0: the CPU index
    ldr     r0, =smp_entry_cpsr
    str     r6, [r0, r4, lsl #2]
    ldr     r0, =smp_stacks
    add     r1, r4, #1
    add     r0, r0, r1, lsl #14     @ the top of this CPU's 16 KiB
    mode_stacks 0x400, 0x800, 0x400, 0x400, 0x1000   @ secondary_main runs in supervisor mode

    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0  @ VBAR is per CPU
    isb
    bl      vfp_enable              @ so are CPACR and FPEXC

    mov     r0, r4
    mov     r1, r5
    ldr     r2, =secondary_main
    blx     r2
    ldr     r0, =0x84000002         @ PSCI CPU_OFF
    hvc     #0
    b       .
