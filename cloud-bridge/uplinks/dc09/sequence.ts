/**
 * Sequence numbers run 0001-9999 and wrap to 0001; a retry keeps its number, a new message takes
 * the next. (Receivers answer a NAK with 0000, and some panels send NULL with 0000.) [SIA DC-09, sequence number]
 */
export const SEQ_MIN = 1
export const SEQ_MAX = 9999

export function nextSequence(seq: number): number {
  return seq >= SEQ_MAX || seq < SEQ_MIN ? SEQ_MIN : seq + 1
}
