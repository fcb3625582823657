/**
 * The review's failure domains with Proxmox HA on and off: three control
 * planes on one, two and three hosts (issue "The whole homelab", part 5).
 */
import { ControlPlaneHaProps } from "../../domain";
import { configurationWarnings, haFacts } from "../../review/ha-facts";
import { renderReview } from "../../review/render-review";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { synthHomelab } from "../support/synth";

const onHosts = (hosts: string[], ha?: Partial<ControlPlaneHaProps>): ControlPlaneHaProps => ({
  proxmoxNodes: hosts,
  ...(ha ? { haEnabled: true, datastoreShared: true, datastoreId: "ceph-rbd", ...ha } : {}),
});
const lossesOf = (cluster: ControlPlaneHaProps) => {
  const model = stackModel(synthHomelab({ cluster }).json as TerraformJson);
  return haFacts(model)!.hostLosses.map(({ host, lost, remaining, quorumKept, recovery }) => [host, lost, remaining, quorumKept, recovery]);
};

describe("host losses for 3 control planes", () => {
  test.each([
    ["1 host, HA off", onHosts(["pve1"]), [["pve1", 3, 0, false, "none"]]],
    ["1 host, HA on: nowhere else to go", onHosts(["pve1"], {}), [["pve1", 3, 0, false, "own-host-only"]]],
    ["2 hosts, HA off", onHosts(["pve1", "pve2"]), [["pve1", 2, 1, false, "none"], ["pve2", 1, 2, true, "none"]]],
    ["2 hosts, HA on, not strict", onHosts(["pve1", "pve2"], {}), [["pve1", 2, 1, false, "restart-elsewhere"], ["pve2", 1, 2, true, "restart-elsewhere"]]],
    ["3 hosts, HA off", onHosts(["pve1", "pve2", "pve3"]), [["pve1", 1, 2, true, "none"], ["pve2", 1, 2, true, "none"], ["pve3", 1, 2, true, "none"]]],
    ["3 hosts, HA on, not strict", onHosts(["pve1", "pve2", "pve3"], {}), [["pve1", 1, 2, true, "restart-elsewhere"], ["pve2", 1, 2, true, "restart-elsewhere"], ["pve3", 1, 2, true, "restart-elsewhere"]]],
    ["3 hosts, HA on, strict", onHosts(["pve1", "pve2", "pve3"], { haStrict: true }), [["pve1", 1, 2, true, "kept-apart"], ["pve2", 1, 2, true, "kept-apart"], ["pve3", 1, 2, true, "kept-apart"]]],
    ["3 hosts, HA on, disks not shared", onHosts(["pve1", "pve2", "pve3"], { datastoreShared: false }), [["pve1", 1, 2, true, "own-host-only"], ["pve2", 1, 2, true, "own-host-only"], ["pve3", 1, 2, true, "own-host-only"]]],
  ])("%s", (_, cluster, expected) => {
    expect(lossesOf(cluster)).toEqual(expected);
  });
});

describe("the report", () => {
  test("says what HA does when a host is lost, from the configuration", () => {
    const notStrict = renderReview({ head: synthHomelab({ cluster: onHosts(["pve1", "pve2", "pve3"], {}) }).json });
    expect(notStrict).toContain(
      "- Losing **pve1** (1 of 3 control planes): 2 remain, quorum kept, the VIP moves if pve1 held it. Proxmox HA restarts its control planes on other hosts once pve1 is fenced (a few minutes): etcd is back to 3 of 3, with a host carrying two control planes until pve1 returns and they move back.",
    );
    const strict = renderReview({ head: synthHomelab({ cluster: onHosts(["pve1", "pve2", "pve3"], { haStrict: true }) }).json });
    expect(strict).toContain("Proxmox HA keeps them down: the strict rule never lets two control planes share a host, and no host is free, so etcd stays short until pve1 is back.");
  });

  test("shows the role and HA of each VM in the node table", () => {
    const review = renderReview({ head: synthHomelab({ cluster: onHosts(["pve1", "pve2", "pve3"], {}) }).json });
    expect(review).toContain("| k8s-controller2 | control-plane | 192.168.1.212 | 212 | pve2 | 2 | 4096 | 32 | yes, any host |");
    expect(review).toContain("(Proxmox HA)");
  });

  test("warns first about HA without shared storage and two control planes on one host while hosts are free", () => {
    const json = synthHomelab({
      cluster: {
        ...onHosts(["pve1", "pve2", "pve3"], { datastoreShared: false }),
        controlPlanes: [
          { name: "cp1", ip: "192.168.1.211", proxmoxNode: "pve1" },
          { name: "cp2", ip: "192.168.1.212", proxmoxNode: "pve1" },
          { name: "cp3", ip: "192.168.1.213", proxmoxNode: "pve2" },
        ],
      },
    }).json as TerraformJson;
    const model = stackModel(json);
    expect(configurationWarnings(model, haFacts(model))).toEqual([
      "Proxmox host pve1 runs 2 of 3 control planes: losing pve1 leaves 1, below the quorum of 2, and stops the cluster.",
      "Control planes cp1 and cp2 share Proxmox host pve1 while pve3 carries none: losing pve1 takes 2 etcd members at once; spread them (leave proxmoxNode unset to place them round-robin over proxmox.nodes).",
      "Proxmox HA is on, but the VM disks are not on storage every host sees (vm.datastoreShared is false): HA can restart a VM only on its own host, not on another one when the host fails.",
    ]);
  });
});
