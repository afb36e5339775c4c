/* The smallest program: prints a line through the PL011 from assembly. */
    .syntax unified
    .arch armv7-a
#ifdef __thumb__
    .thumb
#endif
    .text
    .global main
    .type main, %function
    .balign 4
main:
    push    {r4, lr}
    adr     r4, message
    mov     r1, #0x09000000
1:  ldrb    r0, [r4], #1
    cmp     r0, #0
    itt     ne
    strne   r0, [r1]
    bne     1b
    pop     {r4, pc}
message:
    .asciz  "hello from the guest\n"
    .balign 4
