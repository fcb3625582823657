/**
 * verify names a Proxmox host that is down (ops/verify.ts): pure, over the
 * cluster fixture (k8s-controller1..3 on pve1..3, k8s-worker1 on pve1).
 */
import type { ProxmoxHostStatus } from "../../ops/contracts";
import { Observations, hostsNotOnline, observe, operatorCommands, unreachable, verifyChecks } from "../../ops/verify";
import { FACTS } from "../support/cluster-fixture";

const ok = <T>(value: T) => ({ ok: true as const, value });
const failed = (error: string) => ({ ok: false as const, error });
const online = (...hosts: string[]): ProxmoxHostStatus[] => hosts.map((node) => ({ node, status: "online" }));

/** Observations where nothing of the cluster answered; only the Proxmox hosts vary. */
function observations(proxmoxHosts?: Observations["proxmoxHosts"]): Observations {
  const down = failed("no route to host");
  return {
    nodes: FACTS.nodes.map((node) => ({ node, addresses: down, talosVersion: down })),
    endpoints: down,
    readyz: failed("GET /readyz: connection refused"),
    kubeNodes: down,
    serverVersion: down,
    ...(proxmoxHosts !== undefined ? { proxmoxHosts } : {}),
  };
}
const hostsCheck = (o: Observations) => verifyChecks(FACTS, o).find((check) => check.id === "proxmox-hosts");

describe("the Proxmox hosts in verify", () => {
  test("every host online: the check holds and names them", () => {
    expect(hostsCheck(observations(ok(online("pve1", "pve2", "pve3", "pve4"))))).toEqual({
      id: "proxmox-hosts",
      title: "Every Proxmox host of the stack is online",
      ok: true,
      seen: "pve1, pve2, pve3 online",
    });
  });

  test("fails on a host that is offline, naming its VMs and the command that plans and applies without it", () => {
    const statuses = [...online("pve2", "pve3"), { node: "pve1", status: "offline" }];
    expect(hostsCheck(observations(ok(statuses)))).toMatchObject({
      ok: false,
      seen: "Proxmox host pve1 is offline: its VMs (k8s-controller1, k8s-worker1) are down unless Proxmox HA restarted them on another host; plan and apply the rest with `npm run host-down -- pve1`",
    });
  });

  test("fails on a host whose status is unknown, or that the Proxmox cluster does not list; the command names the cluster when asked to", () => {
    const statuses = [...online("pve1"), { node: "pve2", status: "unknown" }];
    const check = verifyChecks(FACTS, observations(ok(statuses)), operatorCommands("homelab")).find((c) => c.id === "proxmox-hosts")!;
    expect(check.seen.split("; plan and apply the rest with ")).toEqual([
      "Proxmox host pve2 is not online (unknown): its VMs (k8s-controller2) are down unless Proxmox HA restarted them on another host",
      "`npm run host-down -- pve2 --cluster homelab`; Proxmox host pve3 is not in the Proxmox cluster (GET /nodes does not list it): its VMs (k8s-controller3) are down unless Proxmox HA restarted them on another host",
      "`npm run host-down -- pve3 --cluster homelab`",
    ]);
    expect(hostsNotOnline(FACTS, statuses).map((down) => [down.host, down.status])).toEqual([
      ["pve2", "unknown"],
      ["pve3", "not listed"],
    ]);
  });

  test("fails saying why when the Proxmox API does not answer", () => {
    expect(hostsCheck(observations(failed("Proxmox API GET /nodes: no answer from 127.0.0.1:8006 within 5 s")))).toMatchObject({
      ok: false,
      seen: "the Proxmox API did not say: Proxmox API GET /nodes: no answer from 127.0.0.1:8006 within 5 s",
    });
  });

  test("without the Proxmox API's variables verify says nothing about hosts: no check", () => {
    expect(hostsCheck(observations())).toBeUndefined();
    expect(verifyChecks(FACTS, observations())).toHaveLength(10);
  });

  test("a cluster that answers nothing: the one line names the host that is down, and what to do when every control plane is down", () => {
    const line = unreachable(observations(ok([...online("pve2", "pve3"), { node: "pve1", status: "offline" }])), FACTS);
    expect(line).toMatch(/^cluster unreachable: talosctl: no route to host; Kubernetes API: GET \/readyz: connection refused; Proxmox host pve1 is offline: .*`npm run host-down -- pve1`; if every control plane is down, start them/);
    expect(unreachable(observations())).toBe("cluster unreachable: talosctl: no route to host; Kubernetes API: GET /readyz: connection refused");
    expect(unreachable(observations(), FACTS, operatorCommands("lab"))).toBe(
      "cluster unreachable: talosctl: no route to host; Kubernetes API: GET /readyz: connection refused; if every control plane is down, start them (their etcd data returns with them), and run verify again: it says whether to bring a member back or to restore (npm run restore -- --from FILE --cluster lab)",
    );
  });

  test("observe asks the Proxmox hosts beside the cluster, and keeps a failure as its error", async () => {
    const never = () => Promise.reject(new Error("not asked here"));
    const talos = { addresses: never, version: never, service: never, etcdMembers: never, etcdStatus: never, endpoints: never } as never;
    const kubernetes = { readyz: never, nodes: never, serverVersion: never };
    const asked = await observe(FACTS, { talos, kubernetes, proxmox: { hosts: async () => online("pve1") } });
    expect(asked.proxmoxHosts).toEqual(ok(online("pve1")));
    const failing = await observe(FACTS, { talos, kubernetes, proxmox: { hosts: () => Promise.reject(new Error("HTTP 401 authentication failure")) } });
    expect(failing.proxmoxHosts).toEqual(failed("HTTP 401 authentication failure"));
    expect((await observe(FACTS, { talos, kubernetes })).proxmoxHosts).toBeUndefined();
  });
});
