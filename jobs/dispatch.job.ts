// A dispatcher run for one channel. Its data is only the channel name: what to send comes from the database.
import { dispatchChannel, DEFAULT_RETRY, type DispatchChannel, type DispatchDeps, type DispatchResult } from "../server/invitations/dispatch.service.ts";
import type { JobQueue } from "./queue.ts";

const BUSY_RETRY_MS = 5_000;

export function channelOf(data: unknown): DispatchChannel {
  const channel = (data as { channel?: unknown } | null)?.channel;
  if (channel !== "email" && channel !== "sms") throw new Error("dispatch job without a valid channel");
  return channel;
}

/**
 * The id of the run that follows this one. A job cannot queue its own id while it runs (de-duplication), so
 * follow-ups alternate between two fixed ids: however many runs chain, at most three dispatch jobs per
 * channel exist (the planner's and the two follow-ups).
 */
export function nextJobId(channel: DispatchChannel, currentJobId: string): string {
  return currentJobId === `dispatch:${channel}:next-a` ? `dispatch:${channel}:next-b` : `dispatch:${channel}:next-a`;
}

export async function dispatchJob(deps: DispatchDeps, queue: JobQueue, data: unknown, jobId = ""): Promise<DispatchResult> {
  const channel = channelOf(data);
  const result = await dispatchChannel(deps, channel);
  const next = nextJobId(channel, jobId);
  if (!result.ran) {
    // Another process holds the dispatcher lease, or a crashed one still did a moment ago: look again soon.
    await queue.add("dispatch", { channel }, { jobId: next, delayMs: BUSY_RETRY_MS, attempts: 1 });
  } else if (result.outage) {
    // The provider is down: try again after a pause instead of every message burning its attempts.
    await queue.add("dispatch", { channel }, { jobId: next, delayMs: deps.retry?.outagePauseMs ?? DEFAULT_RETRY.outagePauseMs, attempts: 1 });
  } else if (result.more) {
    await queue.add("dispatch", { channel }, { jobId: next, attempts: 1 });
  }
  return result;
}
