/* Startup of a flat image entered by the Linux boot protocol: keeps r0-r2 and the CPSR the
   loader gave, sets a stack, zeroes .bss, calls boot_main(r0, r1, r2, cpsr), then PSCI SYSTEM_OFF. */
#include "start.inc"

    .section .text.start, "ax"
    .global _start
_start:
    mrs     r3, cpsr            @ before anything changes it
    ldr     sp, =__stack_top
    push    {r0-r3}
    zero_bss r4, r5, r6
    pop     {r0-r3}
    bl      boot_main
    power_off_function
