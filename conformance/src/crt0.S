/* Startup: stacks for every mode, a zeroed .bss, the vector table in VBAR, main, then PSCI SYSTEM_OFF. */
#include "start.inc"

    .section .text.start, "ax"
    .global _start
_start:
    ldr     r0, =__stack_top
    mode_stacks 0x1000, 0x1000, 0x1000, 0x1000, 0x4000   @ main runs in supervisor mode
    zero_bss r0, r1, r2

    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0  @ VBAR
    isb

    bl      vfp_enable          @ before main: its prologue may already save VFP registers
    bl      main
    power_off_function

/* Grants PL0/PL1 access to coprocessors 10 and 11 and sets FPEXC.EN, so the VFP programs can run. */
    .global vfp_enable
    .type   vfp_enable, %function
vfp_enable:
    mrc     p15, 0, r0, c1, c0, 2   @ CPACR
    orr     r0, r0, #0x00f00000
    mcr     p15, 0, r0, c1, c0, 2
    isb
    mov     r0, #0x40000000
    .word   0xeee80a10              @ vmsr fpexc, r0 (spelled out: soft-float builds have no FPU)
    bx      lr

/* Each exception saves r0-r12, lr and the SPSR on its mode's stack and calls a C handler with that
   frame; the handler may change the saved registers, the return address and the SPSR. */
    .macro  trap name, handler
\name:
    push    {r0-r12, lr}
    mrs     r0, spsr
    push    {r0, r1}
    mov     r0, sp
    bl      \handler
    pop     {r0, r1}
    msr     spsr_fsxc, r0
    pop     {r0-r12, lr}
    movs    pc, lr
    .endm

    .balign 32
    .global vectors
vectors:
    b       _start
    b       und_entry
    b       svc_entry
    b       pabt_entry
    b       dabt_entry
    b       .
    b       irq_entry
    b       fiq_entry

    trap    und_entry, on_undefined
    trap    svc_entry, on_svc
    trap    pabt_entry, on_prefetch_abort
    trap    dabt_entry, on_data_abort
    trap    irq_entry, on_irq
    trap    fiq_entry, on_fiq
