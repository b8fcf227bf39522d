// A dispatcher run for one channel. Its data is only the channel name: what to send comes from the database.
import { dispatchChannel, DEFAULT_RETRY, type DispatchChannel, type DispatchDeps, type DispatchResult } from "../server/invitations/dispatch.service.ts";
import type { JobQueue } from "./queue.ts";

const BUSY_RETRY_MS = 5_000;

export function channelOf(data: unknown): DispatchChannel {
  const channel = (data as { channel?: unknown } | null)?.channel;
  if (channel !== "email" && channel !== "sms") throw new Error("dispatch job without a valid channel");
  return channel;
}

export async function dispatchJob(deps: DispatchDeps, queue: JobQueue, data: unknown): Promise<DispatchResult> {
  const channel = channelOf(data);
  const result = await dispatchChannel(deps, channel);
  if (!result.ran) {
    // Another process holds the dispatcher lease, or a crashed one still did a moment ago: look again soon.
    await queue.add("dispatch", { channel }, { jobId: `dispatch:${channel}:busy`, delayMs: BUSY_RETRY_MS, attempts: 1 });
  } else if (result.outage) {
    // The provider is down: try again after a pause instead of every message burning its attempts.
    const pause = deps.retry?.outagePauseMs ?? DEFAULT_RETRY.outagePauseMs;
    await queue.add("dispatch", { channel }, { jobId: `dispatch:${channel}:after-outage`, delayMs: pause, attempts: 1 });
  } else if (result.more) {
    await queue.add("dispatch", { channel }, { jobId: `dispatch:${channel}:more`, attempts: 1 });
  }
  return result;
}
