// Which channel reaches a client: the client's preference when it can be used, else the municipality's
// order (default e-mail → SMS → letter); after a permanent failure, the next one not tried yet.
import type { Channel } from "../intake/intake.normalize.ts";
import type { InvitationPolicy } from "./invitations.schema.ts";

/** What is known of a client's contact data: only whether each way of reaching them exists. */
export type Reachability = { email: boolean; mobile: boolean; address: boolean };

export function canReach(channel: Channel, reach: Reachability): boolean {
  switch (channel) {
    case "email":
      return reach.email;
    case "sms":
    case "phone":
      return reach.mobile;
    case "letter":
      return reach.address;
  }
}

function usable(channel: Channel, reach: Reachability, policy: InvitationPolicy): boolean {
  return policy.enabledChannels[channel] && canReach(channel, reach);
}

/** The first channel for a new invitation, or undefined when no enabled channel reaches the client. */
export function chooseChannel(preferred: Channel | null, reach: Reachability, policy: InvitationPolicy): Channel | undefined {
  if (preferred && usable(preferred, reach, policy)) return preferred;
  return policy.channelOrder.find((c) => usable(c, reach, policy));
}

/**
 * The channel after a permanent failure: the next usable one in the municipality's order that has not
 * failed yet for this invitation. A failed phone or preferred channel falls back to the order from its start.
 */
export function fallbackChannel(failed: Channel[], reach: Reachability, policy: InvitationPolicy): Channel | undefined {
  return policy.channelOrder.find((c) => !failed.includes(c) && usable(c, reach, policy));
}
