/**
 * Where each VM runs, and the placements and HA settings refused before
 * anything is written: the ones Proxmox would refuse mid-apply, and the ones
 * that would lose quorum (or a VM's disk) the day a host dies.
 */
import { ControlPlaneHaProps } from "../../domain";
import { placeNodes } from "../../domain/placement";
import { specProblemsOf } from "../support/spec-problems";
import { problemsOf as configProblemsOf } from "../support/config-problems";

const node = (name: string, ip: string, proxmoxNode?: string) => ({ name, ip, ...(proxmoxNode ? { proxmoxNode } : {}) });
const controlPlanes = (...hosts: (string | undefined)[]) => hosts.map((host, index) => node(`cp${index + 1}`, `192.168.1.${211 + index}`, host));
const unpinned = (count: number) => Array.from({ length: count }, () => ({}));



describe("placement over proxmox.nodes", () => {
  test("with nothing pinned it is the plain rotation: control planes, then workers continuing it", () => {
    expect(placeNodes(unpinned(5), unpinned(4), ["a", "b", "c"], "pve")).toEqual({ controlPlanes: ["a", "b", "c", "a", "b"], workers: ["c", "a", "b", "c"] });
  });

  test("workers balance by count over the hosts, whatever the pinned control planes did to the rotation", () => {
    // GIVEN two hosts, three control planes pinned a, b, a, and a worker pinned to b
    const placed = placeNodes([{ own: "a" }, { own: "b" }, { own: "a" }], [{ own: "b" }, {}, {}, {}], ["a", "b"], "pve");
    // THEN the three unpinned workers go a, then b and a in turn: two workers per host
    expect(placed.workers).toEqual(["b", "a", "b", "a"]);
  });

  test("an unpinned control plane takes a host no pinned one is on", () => {
    expect(placeNodes([{ own: "a" }, {}, { own: "b" }], [], ["a", "b", "c"], "pve").controlPlanes).toEqual(["a", "c", "b"]);
  });

  test("without proxmox.nodes every VM that names no host goes to proxmox.node", () => {
    expect(placeNodes([{}, { own: "x" }], [{}], [], "pve")).toEqual({ controlPlanes: ["pve", "x"], workers: ["pve"] });
  });
});

describe("refused placements", () => {
  test("a node's host that is not in proxmox.nodes, with the near miss named", () => {
    expect(specProblemsOf({ proxmoxNodes: ["pve1", "pve2", "pve3"], controlPlanes: controlPlanes(undefined, "pve-2", undefined) })).toEqual([
      'controlPlanes[1].proxmoxNode = "pve-2": is not one of proxmoxNodes (pve1, pve2, pve3), so Proxmox would refuse the VM mid-apply; did you mean pve2? use a listed host\'s name exactly as Proxmox shows it, or add it to proxmoxNodes',
    ]);
  });

  test("proxmox.node beside proxmox.nodes, under the file's names", () => {
    expect(configProblemsOf("proxmox: { node: pve, nodes: [pve1, pve2, pve3] }")).toContain(
      'proxmox.node = "pve": is ignored while proxmox.nodes is set (VMs that name no host are spread over pve1, pve2, pve3); remove one of the two: proxmox.nodes to spread the VMs, proxmox.node to put them all on one host',
    );
  });

  test("two of three control planes on one host when three hosts could hold one each, naming the host and members", () => {
    expect(specProblemsOf({ proxmoxNodes: ["pve1", "pve2", "pve3"], controlPlanes: controlPlanes("pve1", "pve2", "pve1") })).toEqual([
      'controlPlanes[2].proxmoxNode = "pve1": Proxmox host pve1 would run control planes cp1, cp3: losing pve1 leaves 1 of 3 etcd members, below the quorum of 2, and stops the cluster, though the 3 hosts (pve1, pve2, pve3) can hold 3 control planes so that losing any one keeps quorum; move cp3 to pve3, or leave its proxmoxNode unset to place it',
    ]);
  });

  test("three of five on one host among three; the hosts known from the nodes' own proxmoxNode count too", () => {
    const found = specProblemsOf({ controlPlanes: controlPlanes("h1", "h1", "h1", "h2", "h3") });
    expect(found).toEqual([expect.stringMatching(/^controlPlanes\[2\]\.proxmoxNode = "h1": Proxmox host h1 would run control planes cp1, cp2, cp3: losing h1 leaves 2 of 5 .* move cp3 to h2 or h3/)]);
  });

  test("five control planes on two hosts are accepted (no placement avoids it): the synth warns instead", () => {
    expect(specProblemsOf({ proxmoxNodes: ["pve1", "pve2"], controlPlanes: controlPlanes(...Array(5).fill(undefined)) })).toEqual([]);
  });
});

describe("refused Proxmox HA settings", () => {
  const spread: ControlPlaneHaProps = { proxmoxNodes: ["pve1", "pve2", "pve3"], haEnabled: true, datastoreId: "ceph", datastoreShared: true, cpuType: "x86-64-v2-AES" };

  test("HA on storage only one host has, with the reason and the fix, under the file's names", () => {
    expect(configProblemsOf("proxmox: { nodes: [pve1, pve2, pve3] }\nproxmoxHa: { enabled: true }")).toContain(
      "proxmoxHa.enabled = true: needs the VM disks on storage every host sees: Proxmox HA recovers a VM of a failed host on another host without checking its storage (pve-ha-manager), so with vm.datastoreId local-lvm on one host's own disks the VM lands on a host without its disk and ends in error; put the VMs on shared storage (Ceph RBD, NFS, ...) and set vm.datastoreShared: true, or turn HA off",
    );
  });

  test("a node with its own datastore under HA", () => {
    const [first, ...others] = controlPlanes(undefined, undefined, undefined);
    expect(specProblemsOf({ ...spread, controlPlanes: [{ ...first, datastoreId: "local-lvm" }, ...others] })).toEqual([
      'controlPlanes[0].datastoreId = "local-lvm": under Proxmox HA every VM\'s disks must be on the shared datastoreId (ceph), which datastoreShared declares; remove this node\'s own datastoreId',
    ]);
  });

  test("a strict pve9 rule over more control planes than hosts, which Proxmox refuses", () => {
    expect(specProblemsOf({ ...spread, proxmoxNodes: ["pve1", "pve2"], haStrict: true, controlPlanes: controlPlanes(undefined, undefined, undefined) })).toEqual([
      'haStrict = true: a strict rule keeping 3 control planes apart needs at least 3 hosts, and the cluster has 2 (pve1, pve2): Proxmox refuses it ("rule defines more resources than available nodes"); list more hosts in proxmoxNodes, or set haStrict: false',
    ]);
  });

  test("a strict pve9 rule over control planes that share a home, which Proxmox refuses", () => {
    // GIVEN five hosts and five control planes, two of them at home on pve1 (etcd tolerates losing two)
    const five = { ...spread, proxmoxNodes: ["pve1", "pve2", "pve3", "pve4", "pve5"], haStrict: true, vip: "192.168.1.200" };
    expect(specProblemsOf({ ...five, controlPlanes: controlPlanes("pve1", "pve1", undefined, undefined, undefined) })).toEqual([
      "haStrict = true: a strict rule keeps the control planes on separate hosts, but cp1 and cp2 have their home on pve1: Proxmox refuses a rule whose VMs' homes name fewer hosts than it has VMs; give each control plane a host of its own (leave proxmoxNode unset to place them), or set haStrict: false",
    ]);
    expect(specProblemsOf({ ...five, controlPlanes: controlPlanes(undefined, undefined, undefined, undefined, undefined) })).toEqual([]);
  });

  test("strict on as many hosts as control planes, or with pve8 groups, or not strict, is accepted", () => {
    expect(specProblemsOf({ ...spread, haStrict: true })).toEqual([]);
    expect(specProblemsOf({ ...spread, proxmoxNodes: ["pve1", "pve2"], haStrict: true, haRules: "pve8" })).toEqual([]);
    expect(specProblemsOf({ ...spread, proxmoxNodes: ["pve1", "pve2"] })).toEqual([]);
  });
});
