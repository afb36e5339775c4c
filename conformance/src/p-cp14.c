/* CP14, the debug registers a kernel touches at boot: DBGDIDR, DBGDSCR, DBGDRAR/DBGDSAR, the
   breakpoint and watchpoint value/control registers, OS lock status and double lock, vector catch,
   monitor mode as Linux enables it (DBGDSCRext.MDBGen seen through DBGDSCRint), and the ThumbEE
   registers TEECR and TEEHBR; undefined ones are reported. */
#include "runtime.h"

static volatile u32 undef;

void on_undefined(struct frame *f) {
  undef = 1;
  f->r[0] = 0xbad;
  skip_thumb32(f);
}

/* Shows a CP14 register, or 0xbad where it is undefined. */
#define RD(name, crn, op1, crm, op2) (undef = 0, show(name, MRC(p14, op1, crn, crm, op2)))
#define WR(crn, op1, crm, op2, v) MCR(p14, op1, crn, crm, op2, v)

int main(void) {
  put_str("cp14\n");
  RD("DBGDIDR", c0, 0, c0, 0);
  RD("DBGDSCRint", c0, 0, c1, 0);
  RD("DBGDRAR", c1, 0, c0, 0);
  RD("DBGDSAR", c2, 0, c0, 0);
  RD("DBGDSCRext", c0, 0, c2, 2);
  WR(c0, 0, c0, 4, 0x40001000);
  WR(c0, 0, c0, 5, 0x000001e7);
  WR(c0, 0, c0, 6, 0x40002000);
  WR(c0, 0, c0, 7, 0x00000000);
  RD("DBGBVR0", c0, 0, c0, 4);
  RD("DBGBCR0", c0, 0, c0, 5);
  RD("DBGWVR0", c0, 0, c0, 6);
  RD("DBGWCR0", c0, 0, c0, 7);
  WR(c0, 0, c0, 5, 0);
  RD("DBGOSLSR", c1, 0, c1, 4);
  RD("DBGPRSR", c1, 0, c5, 4);
  RD("DBGAUTHSTATUS", c7, 0, c14, 6);
  RD("DBGDEVID", c7, 0, c2, 7);
  RD("DBGOSDLR", c1, 0, c3, 4);
  WR(c1, 0, c3, 4, 0);
  WR(c0, 0, c7, 0, 0); /* DBGVCR: Linux clears vector catch */
  RD("DBGVCR", c0, 0, c7, 0);
  WR(c0, 0, c2, 2, 1u << 15); /* DBGDSCRext.MDBGen: monitor debug mode, as Linux enables it */
  RD("DBGDSCRint+MDBGen", c0, 0, c1, 0);
  RD("DBGDSCRext+MDBGen", c0, 0, c2, 2);
  WR(c0, 0, c2, 2, 0);
  RD("DBGDSCRint", c0, 0, c1, 0);
  RD("TEECR", c0, 6, c0, 0);
  RD("TEEHBR", c1, 6, c0, 0);
  WR(c1, 6, c0, 0, 0x40003000);
  RD("TEEHBR", c1, 6, c0, 0);
  WR(c0, 6, c0, 0, 0xffffffff);
  RD("TEECR", c0, 6, c0, 0);
  WR(c0, 6, c0, 0, 0);
  return 0;
}
