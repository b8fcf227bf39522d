// The demo's simulated time: a queue of things that happen at a moment (a job's run, a client opening a link,
// an interviewer's call), run one after another in time order, each with that moment as "now". Nothing after
// the end (the real now) ever runs: what would happen later is simply what has not happened yet.

export type Happening = (at: Date) => Promise<void>;

type Entry = { at: number; order: number; run: Happening; alone: boolean };

/** Runs one happening; `alone`: outside the day's shared transaction (it works with several connections or its own snapshot). */
export type Executor = (run: Happening, at: Date, alone: boolean) => Promise<void>;

export class SimulatedTime {
  private readonly heap: Entry[] = [];
  private order = 0;
  private current: number;

  constructor(
    start: Date,
    readonly end: Date,
    private readonly signal?: AbortSignal,
  ) {
    this.current = start.getTime();
  }

  /** The moment being simulated. */
  now(): Date {
    return new Date(this.current);
  }

  /** Plans something at a moment; anything before the current moment happens now, anything after the end never. */
  at(moment: Date | number, run: Happening, options: { alone?: boolean } = {}): void {
    const at = Math.max(typeof moment === "number" ? moment : moment.getTime(), this.current);
    if (at > this.end.getTime()) return;
    this.push({ at, order: this.order++, run, alone: options.alone ?? false });
  }

  /** Runs everything in time order until nothing is left before the end. */
  async run(execute: Executor = (run, at) => run(at)): Promise<void> {
    for (;;) {
      if (this.signal?.aborted) throw new DemoAbortedError();
      const entry = this.pop();
      if (!entry) return;
      this.current = entry.at;
      await execute(entry.run, new Date(entry.at), entry.alone);
    }
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

/** The demo was stopped (the server is shutting down) before it was finished. */
export class DemoAbortedError extends Error {
  constructor() {
    super("De demo is afgebroken voordat ze klaar was.");
    this.name = "DemoAbortedError";
  }
}

const HOUR = 3_600_000;
export const hours = (n: number) => n * HOUR;
