/**
 * Data processing in generated code, shared by A32 and Thumb-2: the sixteen ALU operations on the
 * first operand in local `a` and the second in local `b`, with or without flags.
 */
import { type Code, flag, js, setReg } from './code.ts';
import { add, addWithCarry, logicFlags, subtract } from './emit-util.ts';

/**
 * Code for ALU opcode `op` (the A32 numbering: AND, EOR, SUB, RSB, ADD, ADC, SBC, RSC, TST, TEQ,
 * CMP, CMN, ORR, MOV, BIC, MVN) with operands in `a` and `b`, writing `rd` unless it is a compare.
 * `carry` is the shifter's carry expression (null: C unchanged) for the logical operations' flags.
 */
export function aluOp(op: number, rd: number, flags: boolean, carry: string | null): Code {
  let code: Code;
  let logical = true;
  switch (op) {
    case 0:
    case 8:
      code = js`res = a & b;`;
      break;
    case 1:
    case 9:
      code = js`res = a ^ b;`;
      break;
    case 2:
    case 10:
      code = subtract(flags);
      logical = false;
      break;
    case 3:
      code = js`res = a; a = b; b = res; ${subtract(flags)}`;
      logical = false;
      break;
    case 4:
    case 11:
      code = add(flags);
      logical = false;
      break;
    case 5:
      code = addWithCarry(flag('c'), flags);
      logical = false;
      break;
    case 6:
      code = js`b = ~b; ${addWithCarry(flag('c'), flags)}`;
      logical = false;
      break;
    case 7:
      code = js`res = a; a = b; b = ~res; ${addWithCarry(flag('c'), flags)}`;
      logical = false;
      break;
    case 12:
      code = js`res = a | b;`;
      break;
    case 13:
      code = js`res = b;`;
      break;
    case 14:
      code = js`res = a & ~b;`;
      break;
    default:
      code = js`res = ~b;`;
      break;
  }
  if (logical && flags) code = js`${code} ${logicFlags(carry)}`;
  if ((op & 0xc) !== 8) code = js`${code} ${setReg(rd, 'res')}`;
  return code;
}
