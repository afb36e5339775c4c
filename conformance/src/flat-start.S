/* Startup of a flat image entered by the Linux boot protocol: keeps r0-r2 and the CPSR the
   loader gave, sets a stack, zeroes .bss, calls boot_main(r0, r1, r2, cpsr), then PSCI SYSTEM_OFF. */
    .syntax unified
    .arch armv7-a
    .arch_extension virt
    .arm

    .section .text.start, "ax"
    .global _start
_start:
    mrs     r3, cpsr            @ before anything changes it
    ldr     sp, =__stack_top
    push    {r0-r3}
    ldr     r4, =__bss_start
    ldr     r5, =__bss_end
    mov     r6, #0
1:  cmp     r4, r5
    strlo   r6, [r4], #4
    blo     1b
    pop     {r0-r3}
    bl      boot_main
    .global power_off
    .type   power_off, %function    @ so Thumb callers reach this ARM code with BLX
power_off:
    ldr     r0, =0x84000008     @ PSCI SYSTEM_OFF
    hvc     #0
    b       .
