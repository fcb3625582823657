/**
 * The rules of the fast API failover (`fastFailover.*`), checked only when it
 * is enabled. Pure; part of `validateClusterSpec`.
 */
import { ClusterSpec } from "./cluster-spec";
import { broadcastAddress, networkAddress, networkContains, parseCidr } from "./ipv4";
import { ADVERT_INTERVAL_MS_RANGE } from "./keepalived-config";
import { ValidationProblem, fieldRef } from "./validation-problem";

/** `name@sha256:<64 hex>`, with an optional tag before the `@` (the digest wins). */
const DIGEST_PINNED = /^[^\s@]+@sha256:[0-9a-f]{64}$/;
const VIRTUAL_ROUTER_ID_RANGE = { min: 1, max: 255 } as const;
const IPV4 = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;

/** Every problem of the fast failover's fields; none when it is off. */
export function fastFailoverProblems(spec: ClusterSpec, isUnresolved: (value: unknown) => boolean = () => false): ValidationProblem[] {
  if (!spec.fastFailoverEnabled) return [];
  const problems: ValidationProblem[] = [];
  const report = (field: string, value: unknown, message: string) => problems.push({ field, value, message });

  checkVip(spec, report, isUnresolved);

  const image = spec.fastFailoverImage;
  if (image === undefined || image === "") {
    report("fastFailoverImage", image ?? null, `required with ${fieldRef("fastFailoverEnabled")}: a keepalived image pinned by digest, e.g. registry.lan/keepalived@sha256:<64 hex> (docs/failover.md has a Dockerfile)`);
  } else if (!isUnresolved(image) && !DIGEST_PINNED.test(image)) {
    report(
      "fastFailoverImage",
      image,
      "not pinned by digest: a tag can move to another image under the running control planes; give name@sha256:<64 lower-case hex> (docker buildx imagetools inspect <image> prints the digest)",
    );
  }

  const advert = spec.fastFailoverAdvertIntervalMs;
  const { min, max, step } = ADVERT_INTERVAL_MS_RANGE;
  if (!isUnresolved(advert) && (!Number.isInteger(advert) || advert < min || advert > max || advert % step !== 0)) {
    report(
      "fastFailoverAdvertIntervalMs",
      advert,
      `must be a whole number of milliseconds from ${min} to ${max} in steps of ${step}: VRRPv3 counts the interval in centiseconds (keepalived's advert_int 0.01 to 40.95 s); e.g. 500`,
    );
  }

  const routerId = spec.fastFailoverVirtualRouterId;
  if (routerId !== undefined && !isUnresolved(routerId) && (!Number.isInteger(routerId) || routerId < VIRTUAL_ROUTER_ID_RANGE.min || routerId > VIRTUAL_ROUTER_ID_RANGE.max)) {
    report("fastFailoverVirtualRouterId", routerId, `VRRP virtual router ids are whole numbers from ${VIRTUAL_ROUTER_ID_RANGE.min} to ${VIRTUAL_ROUTER_ID_RANGE.max}; pick one, or leave it unset to derive it from ${fieldRef("clusterName")}`);
  }

  if (spec.nodes.length < 2) {
    report(
      "fastFailoverEnabled",
      true,
      `needs at least two control planes (there is ${spec.nodes.length}): with one there is nothing to fail over to; set it to false, Talos's ${fieldRef("vip")} serves a single node as well`,
    );
  }
  return problems;
}

function checkVip(spec: ClusterSpec, report: (field: string, value: unknown, message: string) => void, isUnresolved: (value: unknown) => boolean): void {
  const vip = spec.fastFailoverVip;
  if (vip === undefined || vip === "") {
    report("fastFailoverVip", vip ?? null, `required with ${fieldRef("fastFailoverEnabled")}: a free address in ${fieldRef("networkCidr")} ${spec.networkCidr}, other than ${fieldRef("vip")} and every node's`);
    return;
  }
  if (isUnresolved(vip)) return;
  if (!IPV4.test(vip) || vip.split(".").some((octet) => Number(octet) > 255)) {
    report("fastFailoverVip", vip, "not an IPv4 address; write four numbers 0-255 separated by dots, e.g. 192.168.1.209");
    return;
  }
  const network = parseCidr(spec.networkCidr);
  if (network && !networkContains(network, vip)) {
    report("fastFailoverVip", vip, `must be inside ${fieldRef("networkCidr")} ${spec.networkCidr} (VRRP moves it on one Layer 2 network); pick an address in that network`);
  } else if (network && (vip === networkAddress(network) || vip === broadcastAddress(network))) {
    report("fastFailoverVip", vip, `is the ${vip === networkAddress(network) ? "network" : "broadcast"} address of ${spec.networkCidr}; pick a host address`);
  }
  if (vip === spec.vip) {
    report("fastFailoverVip", vip, `is Talos's VIP (${fieldRef("vip")}); the fast VIP is a second address beside it, so pick another free one`);
  }
  if (vip === spec.gateway) {
    report("fastFailoverVip", vip, `is the gateway's address (${fieldRef("gateway")}); pick a free address`);
  }
  const lists = [
    { list: "controlPlanes", nodes: spec.nodes },
    { list: "workers", nodes: spec.workers },
  ];
  for (const { list, nodes } of lists) {
    nodes.forEach((node, index) => {
      if (node.ip === vip) report("fastFailoverVip", vip, `is the address of ${fieldRef(`${list}[${index}].ip`)} (${node.name}); the fast VIP must be a free address of its own`);
    });
  }
}
