/**
 * Slots for a ring that starts out holding `entries`: the smallest power of two at least that
 * large, since a ring finds a seq's slot with a mask. Sized from the post window, the rings of the
 * send log and the receive windows rarely grow under load: growing copies the ring, and the first
 * growth in a process also makes V8 discard the optimized code of every path that appends to one.
 */
export function ringSlotsFor(entries: number): number {
  let slots = 1;
  while (slots < entries) slots *= 2;
  return slots;
}
