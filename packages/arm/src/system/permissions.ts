/**
 * What a translation allows, as the TLB keeps it: read, write and execute at PL1 and at PL0, one
 * bit each, so a lookup checks an access with one AND whichever descriptor format it came from.
 */

/** Read at PL1. */
export const P1R = 1;
/** Write at PL1. */
export const P1W = 2;
/** Execute at PL1. */
export const P1X = 4;
/** Read at PL0. */
export const P0R = 8;
/** Write at PL0. */
export const P0W = 16;
/** Execute at PL0. */
export const P0X = 32;
/** Everything. */
export const PALL = P1R | P1W | P1X | P0R | P0W | P0X;

/** What each access kind (read, write, fetch) needs at PL1. */
export const NEED_PL1: readonly number[] = [P1R, P1W, P1X];
/** What each access kind needs at PL0. */
export const NEED_PL0: readonly number[] = [P0R, P0W, P0X];
