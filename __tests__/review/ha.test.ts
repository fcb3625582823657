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
  ])("%s", (_, cluster, expected) => {
    expect(lossesOf(cluster)).toEqual(expected);
  });
});

describe("the report", () => {
  test("says what HA does when a host is lost, from the configuration", () => {
    const notStrict = renderReview({ head: synthHomelab({ cluster: onHosts(["pve1", "pve2", "pve3"], {}) }).json });
    expect(notStrict).toContain(
      "2 of 3 control planes: quorum kept, the VIP moves if pve1 held it. Proxmox HA restarts its control planes on other hosts once pve1 is fenced (a few minutes): etcd is back to 3 of 3, with a host carrying two control planes until pve1 returns and they move back.",
    );
    const strict = renderReview({ head: synthHomelab({ cluster: onHosts(["pve1", "pve2", "pve3"], { haStrict: true }) }).json });
    expect(strict).toContain("Proxmox HA keeps them down: the strict rule never lets two control planes share a host, and no host is free, so etcd stays short until pve1 is back.");
  });

  test("the host-loss table says what survives, what Terraform can still do, and what the operator runs, naming the host", () => {
    // GIVEN three control planes and a worker over three hosts
    const cluster = { ...onHosts(["pve1", "pve2", "pve3"]), workers: [{ name: "w1", ip: "192.168.1.221" }] };
    // WHEN the review is written
    const review = renderReview({ head: synthHomelab({ cluster }).json });
    // THEN each host has a row: the survivors, the plan that fails and the one that works, the commands
    expect(review).toContain("| Host lost (control planes) | What survives | What Terraform can still do | What you run |");
    expect(review).toContain(
      "| **pve1** (1 of 3) | 2 of 3 control planes: quorum kept, the VIP moves if pve1 held it. 0 of 1 worker keep running. | A normal plan reads what is on pve1 through it, and fails. `npm run host-down -- pve1 --cluster homelab` plans the other 2 VMs from state, leaving out what is on pve1 or depends on it. | `npm run host-down -- pve1 --cluster homelab` (add `--apply` to apply it) while it is down; `npm run deploy` once it is back. |",
    );
    expect(review).toContain("| **pve2** (1 of 3) | 2 of 3 control planes: quorum kept, the VIP moves if pve2 held it. 1 of 1 worker keep running. |");
  });

  test("a host whose loss loses quorum: bring it back, nothing to plan around", () => {
    const review = renderReview({ head: synthHomelab({ cluster: onHosts(["pve1", "pve2"]) }).json });
    expect(review).toContain(
      "| **pve1** (2 of 3) | 1 of 3 control planes: quorum lost (needs 2), etcd writes stop and the VIP is released until pve1 is back; running pods keep running. |",
    );
    expect(review).toContain("| Bring pve1 back (etcd needs its members); then `npm run verify`. |");
  });

  test("shows the role and HA of each VM in the node table", () => {
    const review = renderReview({ head: synthHomelab({ cluster: onHosts(["pve1", "pve2", "pve3"], {}) }).json });
    expect(review).toContain("| k8s-controller2 | control-plane | 192.168.1.212 | 212 | pve2 | 2 | 4096 | 32 | yes, any host |");
    expect(review).toContain("(Proxmox HA)");
  });

  test("warns first about a host whose loss loses quorum, then about cpuType host under HA", () => {
    const json = synthHomelab({ cluster: { ...onHosts(["pve1", "pve2"], { cpuType: "host" }) } }).json as TerraformJson;
    const model = stackModel(json);
    expect(configurationWarnings(model, haFacts(model))).toEqual([
      "Proxmox host pve1 runs 2 of 3 control planes: losing pve1 leaves 1, below the quorum of 2, and stops the cluster.",
      "Proxmox HA is on and vm.cpuType is host: every move HA makes (failback, a rule change, a migration before host maintenance) live-migrates a running VM between hosts whose CPUs may differ, which can crash it; use a model every host supports, e.g. x86-64-v2-AES.",
    ]);
  });
});
