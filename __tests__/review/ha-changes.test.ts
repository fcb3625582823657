/**
 * What the review says of a change under Proxmox HA: a switch from HA groups
 * to rules (the Proxmox 8 to 9 path) with the cluster's own names, and a
 * moved VM that HA moves, not Terraform.
 */
import { ControlPlaneHaProps } from "../../domain";
import { renderReview } from "../../review/render-review";
import { diffStacks } from "../../review/resource-diff";
import { synthHomelab } from "../support/synth";

const ha = (over: ControlPlaneHaProps = {}): ControlPlaneHaProps => ({
  proxmoxNodes: ["pve1", "pve2", "pve3"],
  haEnabled: true,
  datastoreShared: true,
  datastoreId: "ceph-rbd",
  cpuType: "x86-64-v2-AES",
  ...over,
});
const warningsOf = (base: ControlPlaneHaProps, head: ControlPlaneHaProps) => {
  const review = renderReview({ head: synthHomelab({ cluster: head }).json, base: { json: synthHomelab({ cluster: base }).json, label: "main" } });
  const section = review.split("## Warnings\n\n")[1]?.split("\n\n")[0] ?? "";
  return section.split("\n").filter((line) => line.startsWith("- "));
};

describe("proxmoxHa.rules changes kind", () => {
  test("pve8 to pve9: warns first, with the groups to forget and the migrated rules to remove", () => {
    const [first] = warningsOf(ha({ haRules: "pve8" }), ha({ haRules: "pve9" }));
    expect(first).toMatch(/^- proxmoxHa\.rules changes from pve8 to pve9: deploy it only once every host runs Proxmox VE 9 and pve-ha-manager has migrated the HA groups to rules/);
    expect(first).toContain("in `cdktf.out/stacks/homelab` run `terraform state rm 'proxmox_hagroup.ControlPlane_ProxmoxHa_Group-homelab-k8s-controller1_");
    expect(first).toContain("on a host run `ha-manager rules remove ha-group-homelab-k8s-controller1`, `ha-manager rules remove ha-group-homelab-k8s-controller2`, `ha-manager rules remove ha-group-homelab-k8s-controller3`");
  });

  test("pve9 to pve8: warns that Proxmox VE 9 refuses groups", () => {
    expect(warningsOf(ha(), ha({ haRules: "pve8" }))).toContainEqual(expect.stringMatching(/^- proxmoxHa\.rules changes from pve9 to pve8: HA groups exist only on Proxmox VE 8/));
  });

  test("the same kind: no such warning", () => {
    expect(warningsOf(ha(), ha({ haStrict: false })).filter((line) => line.includes("proxmoxHa.rules"))).toEqual([]);
  });
});

describe("a VM moved under Proxmox HA", () => {
  test("is explained as the one move HA makes when its home changes", () => {
    // GIVEN four hosts and k8s-controller3 moved from pve3 to pve4
    const hosts = { proxmoxNodes: ["pve1", "pve2", "pve3", "pve4"] };
    const moved = { ...hosts, controlPlanes: [{ name: "k8s-controller1", ip: "192.168.1.211" }, { name: "k8s-controller2", ip: "192.168.1.212" }, { name: "k8s-controller3", ip: "192.168.1.213", proxmoxNode: "pve4" }] };
    // THEN the review says HA moves it, once, and Terraform does not
    expect(warningsOf(ha(hosts), ha(moved))).toContain(
      "- Moves k8s-controller3 from pve3 to pve4 under Proxmox HA: Terraform leaves the VM in place (its node_name is ignored) and changes its home rule; Proxmox HA then live-migrates it once. Move control planes one per deploy, and let each rejoin etcd first.",
    );
    // AND without HA there is no such line (the provider migrates the VM itself)
    expect(warningsOf(hosts, moved).filter((line) => line.includes("under Proxmox HA"))).toEqual([]);
  });
});

describe("a changed vmId under Proxmox HA", () => {
  test("plans a clean replace: the VM, its HA resource and its home rule, nothing updated in place", () => {
    // GIVEN k8s-controller2's VM id changed from 212 (derived from its IP) to 312
    const controlPlanes = [
      { name: "k8s-controller1", ip: "192.168.1.211" },
      { name: "k8s-controller2", ip: "192.168.1.212", vmId: 312 },
      { name: "k8s-controller3", ip: "192.168.1.213" },
    ];
    const diff = diffStacks(synthHomelab({ cluster: ha() }).json, synthHomelab({ cluster: ha({ controlPlanes }) }).json);
    // THEN the three of its Proxmox objects are replaced, and no HA object is updated with the new id in place
    const proxmox = diff.changed.filter(({ type }) => type.startsWith("proxmox_"));
    expect(proxmox.map(({ type, action }) => [type, action])).toEqual([
      ["proxmox_haresource", "replace"],
      ["proxmox_harule", "replace"],
      ["proxmox_virtual_environment_vm", "replace"],
    ]);
    expect(proxmox.map(({ address }) => address).join(" ")).not.toMatch(/controller[13]/);
  });
});
