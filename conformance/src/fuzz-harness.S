/* Differential fuzzing harness. A blob loaded at FUZZ_BLOB holds test blocks: for each block, the
   registers and flags to start from and its code. Before each block the scratch memory is reset
   from the blob's image; after it, every register, the flags and a checksum of the scratch memory
   are printed as hex, one line per block, so two CPUs can be compared line by line.
   Blob: word 0 = block count, word 1 = code words per block (ending in a return through the
   stack), word 2 = 1 when the blocks are Thumb code, word 3 = 0, then the scratch image
   (SCRATCH_WORDS words), then count * 31 state words (r0-r12, APSR, d0-d7, FPSCR), then the
   blocks' code. */
    .syntax unified
    .arch armv7-a
    .fpu    vfpv3
    .arm
    .equ    STATE_WORDS, 31
    .equ    FUZZ_BLOB, 0x40100000
    .equ    FUZZ_SCRATCH, 0x40800000
    .equ    SCRATCH_WORDS, 2048

    .text
    .global main
    .type   main, %function
main:
    push    {r4-r11, lr}
    ldr     r4, =FUZZ_BLOB
    ldr     r8, [r4]            @ blocks left
    ldr     r9, [r4, #4]        @ code words per block
    ldr     r7, [r4, #8]        @ Thumb flag
    add     r5, r4, #16
    add     r5, r5, #SCRATCH_WORDS * 4 @ states
    mov     r0, #STATE_WORDS * 4
    mul     r0, r8, r0
    add     r6, r5, r0          @ code
    lsl     r9, r9, #2          @ bytes per block
1:  cmp     r8, #0
    beq     9f
    ldr     r0, =saved
    stm     r0, {r5, r6, r7, r8, r9}
    ldr     r0, =FUZZ_BLOB + 16 @ reset the scratch memory
    ldr     r1, =FUZZ_SCRATCH
    mov     r2, #SCRATCH_WORDS
4:  ldr     r3, [r0], #4
    str     r3, [r1], #4
    subs    r2, r2, #1
    bne     4b
    adr     r0, 2f
    push    {r0}                @ where the block returns to
    orr     r0, r6, r7          @ the block itself (bit 0 set for Thumb)
    push    {r0}
    add     r0, r5, #56
    vldmia  r0, {d0-d7}
    ldr     r0, [r5, #120]
    vmsr    fpscr, r0
    ldr     r0, [r5, #52]
    msr     apsr_nzcvqg, r0
    ldm     r5, {r0-r12}
    pop     {pc}
2:  push    {r0-r12}
    mrs     r0, apsr
    push    {r0}
    vmrs    r0, fpscr
    push    {r0}
    vpush   {d0-d7}
    ldr     r1, =FUZZ_SCRATCH   @ checksum the scratch memory
    mov     r2, #SCRATCH_WORDS
    mov     r0, #0
5:  ldr     r3, [r1], #4
    eor     r0, r3, r0, ror #27
    subs    r2, r2, #1
    bne     5b
    bl      put_hex
    mov     r0, #32
    bl      uart_putc
    mov     r0, sp
    bl      dump_state
    add     sp, sp, #STATE_WORDS * 4
    ldr     r0, =saved
    ldm     r0, {r5, r6, r7, r8, r9}
    add     r5, r5, #STATE_WORDS * 4
    add     r6, r6, r9
    sub     r8, r8, #1
    b       1b
9:  pop     {r4-r11, pc}

/* Prints the 31 words at r0 as pushed: d0-d7, FPSCR, APSR, r0-r12. */
dump_state:
    push    {r4, r5, lr}
    mov     r4, r0
    mov     r5, #0
3:  ldr     r0, [r4, r5, lsl #2]
    bl      put_hex
    mov     r0, #32
    bl      uart_putc
    add     r5, r5, #1
    cmp     r5, #STATE_WORDS
    blt     3b
    mov     r0, #10
    bl      uart_putc
    pop     {r4, r5, pc}

    .ltorg
    .bss
    .balign 4
saved:
    .space  20
