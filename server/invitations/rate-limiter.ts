// A token bucket: at most `perSecond` messages a second, with bursts of a tenth of a second's worth, so no
// one-second window sees more than about 1.1 × the provider's limit.
import { setTimeout as sleep } from "node:timers/promises";

export type RateLimiter = { take(): Promise<void> };

export function createRateLimiter(perSecond: number, clock: () => number = () => performance.now()): RateLimiter {
  const capacity = Math.max(1, perSecond / 10);
  let tokens = capacity;
  let last = clock();
  const refill = () => {
    const t = clock();
    tokens = Math.min(capacity, tokens + ((t - last) * perSecond) / 1000);
    last = t;
  };
  // Takers wait in turn: without this chain, everyone waiting would wake at once and overdraw the bucket.
  let queue: Promise<void> = Promise.resolve();
  return {
    take() {
      const turn = queue.then(async () => {
        refill();
        if (tokens < 1) {
          await sleep(((1 - tokens) * 1000) / perSecond);
          refill();
        }
        tokens -= 1;
      });
      queue = turn;
      return turn;
    },
  };
}
