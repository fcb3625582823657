/** Several clusters in one checkout: conflicts between them, the cluster a command acts on, and the state from before. */
import { ControlPlaneHaProps, chooseCluster, clusterSetProblems, legacyStateMove, resolveClusterSpec } from "../../domain";

const described = (source: string, props: ControlPlaneHaProps) => ({ source, spec: resolveClusterSpec(props) });
const nodes = (prefix: string, network: string, first: number) =>
  [0, 1, 2].map((index) => ({ name: `${prefix}${index + 1}`, ip: `${network}.${first + index}` }));
const lab = { clusterName: "lab", vip: "10.0.20.10", networkCidr: "10.0.20.0/24", controlPlanes: nodes("lab-cp", "10.0.20", 11) };
const prod = { clusterName: "prod", vip: "10.0.30.10", networkCidr: "10.0.30.0/24", controlPlanes: nodes("prod-cp", "10.0.30", 21) };

describe("clusterSetProblems", () => {
  test("two clusters apart in name, addresses and VM ids: no problem", () => {
    expect(clusterSetProblems([described("lab.yaml", lab), described("prod.yaml", prod)])).toEqual([]);
  });

  test("fails on two clusters of one name, naming both files", () => {
    expect(clusterSetProblems([described("a.yaml", lab), described("b.yaml", { ...prod, clusterName: "lab" })])).toEqual([
      "b.yaml and a.yaml both name their cluster lab: each cluster is one stack and one state, named after it; rename one (clusterName)",
    ]);
  });

  test("fails on a shared VIP, and on a node address the other cluster uses", () => {
    const problems = clusterSetProblems([described("lab.yaml", lab), described("prod.yaml", { ...prod, vip: "10.0.20.10", networkCidr: "10.0.0.0/16", controlPlanes: nodes("prod-cp", "10.0.20", 13) })]);
    expect(problems).toEqual([
      "prod.yaml (vip) and lab.yaml (vip) both use the address 10.0.20.10: two clusters cannot share an address; change one",
      "prod.yaml (node prod-cp1) and lab.yaml (node lab-cp3) both use the address 10.0.20.13: two clusters cannot share an address; change one",
      expect.stringMatching(/^prod\.yaml \(node prod-cp1\) and lab\.yaml \(node lab-cp3\) both put VM id 1013 on Proxmox host pve/),
    ]);
  });

  test("fails on one VM id on a host both use, and allows it on hosts apart", () => {
    const sameIds = { ...prod, controlPlanes: prod.controlPlanes.map((node, index) => ({ ...node, vmId: 1011 + index })) };
    expect(clusterSetProblems([described("lab.yaml", lab), described("prod.yaml", sameIds)])).toHaveLength(3);
    expect(clusterSetProblems([described("lab.yaml", lab), described("prod.yaml", { ...sameIds, proxmoxNode: "pve-prod" })])).toEqual([]);
  });
});

describe("chooseCluster", () => {
  test("the only cluster, or the one named", () => {
    expect(chooseCluster(["homelab"], undefined)).toEqual({ stackId: "homelab" });
    expect(chooseCluster(["lab", "prod"], "prod")).toEqual({ stackId: "prod" });
  });

  test("fails when there are several and none is named, saying which exist", () => {
    expect(chooseCluster(["prod", "lab"], undefined)).toEqual({ problem: "there are several clusters (lab, prod): name one with --cluster NAME" });
  });

  test("fails on a name that is not there, saying which are", () => {
    expect(chooseCluster(["lab", "prod"], "staging")).toEqual({ problem: "no cluster named staging here; the clusters are: lab, prod" });
  });
});

describe("legacyStateMove", () => {
  const files = (...names: string[]) => (file: string) => names.includes(file);

  test("a cluster named otherwise beside terraform.homelab.tfstate and without its own: move it, with the command", () => {
    expect(legacyStateMove([{ stackId: "lab", local: true }], "lab", files("terraform.homelab.tfstate"))).toMatch(
      /^terraform\.homelab\.tfstate in the project folder is the local state of a cluster from before .* Terraform would plan lab from empty .*move it first: mv terraform\.homelab\.tfstate terraform\.lab\.tfstate$/,
    );
  });

  test("nothing to move: the cluster is homelab, or one is configured, or its own state exists, or it is in PostgreSQL, or there is no old file", () => {
    const legacy = files("terraform.homelab.tfstate");
    expect(legacyStateMove([{ stackId: "homelab", local: true }], "homelab", legacy)).toBeUndefined();
    expect(legacyStateMove([{ stackId: "homelab", local: true }, { stackId: "lab", local: true }], "lab", legacy)).toBeUndefined();
    expect(legacyStateMove([{ stackId: "lab", local: true }], "lab", files("terraform.homelab.tfstate", "terraform.lab.tfstate"))).toBeUndefined();
    expect(legacyStateMove([{ stackId: "lab", local: false }], "lab", legacy)).toBeUndefined();
    expect(legacyStateMove([{ stackId: "lab", local: true }], "lab", files())).toBeUndefined();
  });
});
