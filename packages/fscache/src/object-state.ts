/** The object states and events, with the kernel's ordering and priorities. */

/** State names in the kernel's enum order. The order is behaviour: states are compared with <. */
export const OBJECT_STATE_NAMES = [
  'INIT',
  'LOOKING_UP',
  'CREATING',
  'AVAILABLE',
  'ACTIVE',
  'UPDATING',
  'DYING',
  'LC_DYING',
  'ABORT_INIT',
  'RELEASING',
  'RECYCLING',
  'WITHDRAWING',
  'DEAD',
] as const;

/** The four-letter names used in object listings (`/proc/fs/fscache/objects`). */
export const OBJECT_STATE_SHORT_NAMES = [
  'INIT',
  'LOOK',
  'CRTN',
  'AVBL',
  'ACTV',
  'UPDT',
  'DYNG',
  'LCDY',
  'ABTI',
  'RELS',
  'RCYC',
  'WTHD',
  'DEAD',
] as const;

/** A state's name. */
export type ObjectStateName = (typeof OBJECT_STATE_NAMES)[number];

/** The states as ordered numbers. */
export const ObjectState = {
  INIT: 0,
  LOOKING_UP: 1,
  CREATING: 2,
  AVAILABLE: 3,
  ACTIVE: 4,
  UPDATING: 5,
  DYING: 6,
  LC_DYING: 7,
  ABORT_INIT: 8,
  RELEASING: 9,
  RECYCLING: 10,
  WITHDRAWING: 11,
  DEAD: 12,
} as const;
/** One object state. */
export type ObjectState = (typeof ObjectState)[keyof typeof ObjectState];

/** Events, by bit number in an object's event set. When several are pending the highest wins. */
export const ObjectEvent = {
  UPDATE: 0,
  CLEARED: 1,
  ERROR: 2,
  RELEASE: 3,
  RETIRE: 4,
  WITHDRAW: 5,
} as const;
/** One object event. */
export type ObjectEvent = (typeof ObjectEvent)[keyof typeof ObjectEvent];

/** Event names by bit number. */
export const OBJECT_EVENT_NAMES = ['UPDATE', 'CLEARED', 'ERROR', 'RELEASE', 'RETIRE', 'WITHDRAW'] as const;

/** The bit of one event. */
export function eventBit(event: ObjectEvent): number {
  return 1 << event;
}

/** Every event bit. */
export const ALL_EVENTS = 0x3f;
/** The events that end an object's life: an error, the netfs letting go, the cache withdrawing. */
export const KILL_EVENTS =
  (1 << ObjectEvent.ERROR) |
  (1 << ObjectEvent.RELEASE) |
  (1 << ObjectEvent.RETIRE) |
  (1 << ObjectEvent.WITHDRAW);

/** The winning event among `bits` (the highest set bit, as fls() picks it), or -1 for none. */
export function winningEvent(bits: number): ObjectEvent | -1 {
  return (31 - Math.clz32(bits & ALL_EVENTS)) as ObjectEvent | -1;
}

/** Names of the events set in `bits`, highest first. */
export function eventNames(bits: number): string[] {
  const out: string[] = [];
  for (let e = OBJECT_EVENT_NAMES.length - 1; e >= 0; e--)
    if (bits & (1 << e)) out.push(OBJECT_EVENT_NAMES[e]!);
  return out;
}

/** The name of a state. */
export function stateName(state: ObjectState): ObjectStateName {
  return OBJECT_STATE_NAMES[state]!;
}
