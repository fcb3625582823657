/**
 * etcd membership arithmetic.
 *
 * etcd commits a write once a majority of members has it, so n members need
 * floor(n/2)+1 votes and survive floor((n-1)/2) failures. An even count adds a
 * member without adding tolerance: 4 members tolerate 1 failure, like 3.
 */

/** Votes etcd needs to commit a write (and Talos needs to move the VIP). */
export function etcdQuorum(members: number): number {
  assertMemberCount(members);
  return Math.floor(members / 2) + 1;
}

/** Members that may fail while the cluster keeps quorum. */
export function failuresTolerated(members: number): number {
  assertMemberCount(members);
  return Math.floor((members - 1) / 2);
}

function assertMemberCount(members: number): void {
  if (!Number.isInteger(members) || members < 1) {
    throw new RangeError(`etcd member count must be a positive integer, got ${members}`);
  }
}
