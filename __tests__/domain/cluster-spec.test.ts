import { defaultVmId, nodeMacAddress, proxmoxHostsOf, resolveClusterSpec } from "../../domain";

describe("resolveClusterSpec", () => {
  test("with no props is the reference homelab", () => {
    const spec = resolveClusterSpec();
    expect(spec).toMatchObject({
      clusterName: "homelab",
      vip: "192.168.1.210",
      clusterEndpoint: "https://192.168.1.210:6443",
      networkCidr: "192.168.1.0/24",
      gateway: "192.168.1.1",
      dnsServers: ["192.168.1.1"],
      talosVersion: "v1.13.9",
      kubernetesVersion: "v1.36.3",
    });
    expect(spec.nodes.map(({ name, ip, vmId, proxmoxHost, ipWithPrefixLength }) => ({ name, ip, vmId, proxmoxHost, ipWithPrefixLength }))).toEqual([
      { name: "k8s-controller1", ip: "192.168.1.211", vmId: 211, proxmoxHost: "pve", ipWithPrefixLength: "192.168.1.211/24" },
      { name: "k8s-controller2", ip: "192.168.1.212", vmId: 212, proxmoxHost: "pve", ipWithPrefixLength: "192.168.1.212/24" },
      { name: "k8s-controller3", ip: "192.168.1.213", vmId: 213, proxmoxHost: "pve", ipWithPrefixLength: "192.168.1.213/24" },
    ]);
  });

  test("derives gateway and DNS from the network unless given", () => {
    expect(resolveClusterSpec({ networkCidr: "10.20.0.0/16" })).toMatchObject({ gateway: "10.20.0.1", dnsServers: ["10.20.0.1"] });
    expect(resolveClusterSpec({ gateway: "192.168.1.254", dnsServers: ["9.9.9.9"] })).toMatchObject({ gateway: "192.168.1.254", dnsServers: ["9.9.9.9"] });
  });

  test("lets a node override host, VM id, cores and memory, keeping the cluster defaults for the rest", () => {
    const spec = resolveClusterSpec({
      cores: 4,
      memoryMib: 8192,
      controlPlanes: [
        { name: "a", ip: "192.168.1.211", proxmoxNode: "pve2", vmId: 5000, cores: 8 },
        { name: "b", ip: "192.168.1.212", memoryMib: 16384 },
      ],
    });
    expect(spec.nodes[0]).toMatchObject({ proxmoxHost: "pve2", vmId: 5000, cores: 8, memoryMib: 8192, macAddress: nodeMacAddress("homelab", "a") });
    expect(spec.nodes[1]).toMatchObject({ proxmoxHost: "pve", vmId: 212, cores: 4, memoryMib: 16384 });
    expect(proxmoxHostsOf(spec)).toEqual(["pve2", "pve"]);
  });
});

describe("defaultVmId", () => {
  test.each([
    ["192.168.1.211", 211],
    ["192.168.1.100", 100],
    ["10.0.0.11", 1011],
    ["10.0.0.0", 1000],
    ["not-an-ip", Number.NaN],
  ])("%s -> %p", (ip, vmId) => {
    expect(defaultVmId(ip)).toBe(vmId);
  });
});
