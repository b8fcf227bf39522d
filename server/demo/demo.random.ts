// Seeded randomness for the demo: the same Voorbeeldstad every time (apart from passwords, links and codes,
// which are secrets and always fresh), so a newcomer, a screenshot and a test all see the same story.

export type Random = {
  /** A number in [0, 1). */
  next(): number;
  chance(p: number): boolean;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** One of the keys, with the given weights (need not add up to 1). */
  weighted<T extends string | number>(weights: ReadonlyArray<readonly [T, number]>): T;
  /** A new generator derived from this one and a label: draws in one part never shift another part's story. */
  fork(label: string): Random;
};

/** FNV-1a: a stable 32-bit hash of a label. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for synthetic data (never for secrets). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const random: Random = {
    next,
    chance: (p) => next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted(weights) {
      const total = weights.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [key, w] of weights) {
        roll -= w;
        if (roll < 0) return key;
      }
      return weights[weights.length - 1]![0];
    },
    fork: (label) => seededRandom(hashLabel(`${seed}:${label}`)),
  };
  return random;
}

/** A generator for one labelled thing (a conversation, an invitation): the same label gives the same draws. */
export function randomFor(label: string): Random {
  return seededRandom(hashLabel(label));
}
