/** Version 4 UUIDs from a seeded generator, so a run's ids replay with its seed. */
export function seededUuid(random: () => number): () => string {
  return () => {
    const b = Array.from({ length: 16 }, () => Math.floor(random() * 256))
    b[6] = (b[6]! & 0x0f) | 0x40 // version 4 [RFC 9562 §5.4]
    b[8] = (b[8]! & 0x3f) | 0x80 // variant 10
    const h = b.map((x) => x.toString(16).padStart(2, '0')).join('')
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }
}
