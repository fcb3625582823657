import { nodeMacAddress } from "../../domain";

describe("nodeMacAddress", () => {
  test("is stable for the same cluster and node", () => {
    expect(nodeMacAddress("homelab", "k8s-controller1")).toBe(nodeMacAddress("homelab", "k8s-controller1"));
  });

  test("is a locally administered unicast address in Proxmox's upper-case form", () => {
    const mac = nodeMacAddress("homelab", "k8s-controller1");
    expect(mac).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
    const firstOctet = parseInt(mac.slice(0, 2), 16);
    expect(firstOctet & 0b10).toBe(0b10); // locally administered
    expect(firstOctet & 0b01).toBe(0); // unicast
  });

  test("differs between nodes and between clusters", () => {
    const macs = new Set(
      ["homelab", "lab2"].flatMap((cluster) => [1, 2, 3, 4, 5].map((i) => nodeMacAddress(cluster, `k8s-controller${i}`))),
    );
    expect(macs.size).toBe(10);
  });
});
