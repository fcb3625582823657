/**
 * The pull-request review (`npm run review`): the model read from the JSON,
 * the HA arithmetic, the replace-or-update classification against a base,
 * the Markdown, and the CLI end to end.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ControlPlaneHaProps } from "../../domain";
import { argumentEffect } from "../../review/force-new";
import { configurationWarnings, haFacts } from "../../review/ha-facts";
import { renderReview } from "../../review/render-review";
import { diffStacks } from "../../review/resource-diff";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { bulletsOf } from "../support/review-sections";
import { synthHomelab } from "../support/synth";
import { PROJECT_ROOT } from "../support/project-root";

const root = PROJECT_ROOT;
const REFERENCE_NODES = [
  { name: "k8s-controller1", ip: "192.168.1.211" },
  { name: "k8s-controller2", ip: "192.168.1.212" },
  { name: "k8s-controller3", ip: "192.168.1.213" },
];
const FIVE_NODES: ControlPlaneHaProps = {
  controlPlanes: [...REFERENCE_NODES, { name: "k8s-controller4", ip: "192.168.1.214" }, { name: "k8s-controller5", ip: "192.168.1.215" }],
};
const THREE_HOSTS: ControlPlaneHaProps = { controlPlanes: REFERENCE_NODES.map((node, index) => ({ ...node, proxmoxNode: `pve${index + 1}` })) };

const synth = (cluster?: ControlPlaneHaProps) => synthHomelab({ cluster }).json as TerraformJson;
const reference = synth();


describe("the reference homelab", () => {
  const model = stackModel(reference);
  const review = renderReview({ head: reference });

  test("is read from the JSON: three VMs on pve behind the VIP, with their versions", () => {
    expect(model.nodes.map((node) => [node.name, node.ip, node.vmId, node.proxmoxHost])).toEqual([
      ["k8s-controller1", "192.168.1.211", 211, "pve"],
      ["k8s-controller2", "192.168.1.212", 212, "pve"],
      ["k8s-controller3", "192.168.1.213", 213, "pve"],
    ]);
    expect(model.nodes[0].bootstrapped).toBe(true);
    expect(model).toMatchObject({ vip: "192.168.1.210", clusterEndpoint: "https://192.168.1.210:6443", talosVersion: "v1.13.9", kubernetesVersion: "v1.36.3" });
  });

  test("has 3 etcd members, quorum 2, 1 failure tolerated; losing pve loses all of them", () => {
    expect(haFacts(model)).toMatchObject({
      members: 3,
      quorum: 2,
      tolerated: 1,
      hostLosses: [{ host: "pve", lost: 3, remaining: 0, quorumKept: false }],
      downScenarios: [
        { down: 1, remaining: 2, quorumKept: true },
        { down: 2, remaining: 1, quorumKept: false },
      ],
    });
  });

  test("shows the single-host warning first", () => {
    expect(review.indexOf("## Warnings")).toBeLessThan(review.indexOf("## The control plane at a glance"));
    expect(bulletsOf(review, "Warnings")[0]).toBe("- All 3 control planes run on Proxmox host pve: losing pve stops the cluster.");
  });

  test("lists every node with IP, VM id, host, cores, memory and disk", () => {
    expect(review).toContain("| Node | Role | IP | VM id | Proxmox host | Cores | Memory (MiB) | Disk (GiB) | Proxmox HA |");
    expect(review).toContain("| k8s-controller1 | control-plane | 192.168.1.211 | 211 | pve | 2 | 4096 | 32 | no |");
    expect(review).toContain("| k8s-controller3 | control-plane | 192.168.1.213 | 213 | pve | 2 | 4096 | 32 | no |");
  });

  test("draws one Mermaid subgraph, for pve, with the VIP and talosctl's node endpoints", () => {
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(review)?.[1] ?? "";
    expect(mermaid.startsWith("flowchart LR\n")).toBe(true);
    expect(mermaid.match(/subgraph /g)).toHaveLength(1);
    expect(mermaid).toContain('subgraph h1["Proxmox host pve"]');
    expect(mermaid).toContain('n1["k8s-controller1<br/>192.168.1.211, VM 211<br/>(bootstrapped)"]');
    expect(mermaid).toContain('--> vip(("VIP 192.168.1.210');
    expect(mermaid).toContain('talosctl["talosctl<br/>endpoints = node IPs"] --> n1 & n2 & n3');
  });

  test("states what fails over for n = 3: one down keeps writing, two down freeze writes and release the VIP", () => {
    expect(review).toContain("| 1 of 3 control planes down | etcd keeps quorum (2 of 3, needs 2)");
    expect(review).toContain("| 2 of 3 control planes down | etcd loses quorum (1 of 3, needs 2): **writes freeze**");
    expect(review).toContain("**40 to 60 s later**");
    expect(review).toContain("| `proxmox_virtual_environment_vm` | 3 |");
  });
});

describe("two more control planes (five in all)", () => {
  const five = synth(FIVE_NODES);

  test("have quorum 3 and tolerate 2; two down still write", () => {
    const facts = haFacts(stackModel(five))!;
    expect(facts).toMatchObject({ members: 5, quorum: 3, tolerated: 2 });
    expect(facts.downScenarios.map(({ down, quorumKept }) => [down, quorumKept])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });

  test("only add the two nodes' VM and configuration apply against the reference", () => {
    const diff = diffStacks(reference, five);
    expect(diff.removed).toEqual([]);
    // The first deploy's wait runs again (its triggers gain the new VMs' ids), so the apply ends once they are Ready.
    expect(diff.changed.map(({ address, action }) => [address, action])).toEqual([[expect.stringMatching(/^null_resource\.ControlPlane_VipReady_Wait_/), "replace"]]);
    expect(diff.added.map(({ address }) => address)).toHaveLength(4);
    expect(diff.added.every(({ address }) => /_Nodes_k8s-controller[45]_(Vm|ConfigApply)_/.test(address))).toBe(true);
    expect(renderReview({ head: five, base: { json: reference, label: "the reference" } })).toContain(
      "Control planes: 3 → 5 (quorum 2 → 3, failures tolerated 1 → 2)"
    );
  });
});

describe("a changed VIP", () => {
  const diff = diffStacks(reference, synth({ vip: "192.168.1.220" }));
  const byType = (type: string) => diff.changed.filter((change) => change.type === type);

  test("replaces the VIP gate (its triggers require replacement) and leaves the VMs alone", () => {
    const [gate] = byType("null_resource");
    expect(gate.action).toBe("replace");
    expect(gate.changes.find(({ path }) => path === "triggers.vip")).toMatchObject({
      before: "192.168.1.210",
      after: "192.168.1.220",
      outcome: { kind: "replaces" },
    });
    expect(byType("proxmox_virtual_environment_vm")).toEqual([]);
  });

  test("updates each node's configuration in place, and re-reads the machine configuration", () => {
    const applies = byType("talos_machine_configuration_apply");
    expect(applies).toHaveLength(3);
    for (const apply of applies) {
      expect(apply.action).toBe("update");
      expect(apply.changes.map(({ path, outcome }) => [path, outcome.kind])).toEqual([["config_patches", "in-place"]]);
    }
    expect(diff.dataSources.map(({ address }) => address.split(".")[1])).toEqual(["talos_machine_configuration"]);
  });
});

describe("VMs spread over three Proxmox hosts", () => {
  const spread = synth(THREE_HOSTS);
  const model = stackModel(spread);
  const facts = haFacts(model)!;

  test("raise no single-host warning, and losing any one host keeps quorum", () => {
    expect(configurationWarnings(model, facts)).toEqual([]);
    expect(facts.hostLosses).toEqual([
      { host: "pve1", lost: 1, remaining: 2, quorumKept: true, recovery: "none" },
      { host: "pve2", lost: 1, remaining: 2, quorumKept: true, recovery: "none" },
      { host: "pve3", lost: 1, remaining: 2, quorumKept: true, recovery: "none" },
    ]);
    const review = renderReview({ head: spread });
    expect(review).not.toContain("## Warnings");
    expect(review).toContain("| **pve1** (1 of 3) | 2 of 3 control planes: quorum kept, the VIP moves if pve1 held it. |");
    expect(review.match(/subgraph /g)).toHaveLength(3);
  });

  test("download the image once per host", () => {
    expect(model.resources.find(({ type }) => type === "proxmox_download_file")?.count).toBe(3);
  });

  test("moved back onto one host, the VMs migrate (migrate = true) instead of being replaced", () => {
    const diff = diffStacks(spread, reference);
    const vms = diff.changed.filter(({ type }) => type === "proxmox_virtual_environment_vm");
    expect(vms.map(({ action }) => action)).toEqual(["update", "update", "update"]);
    const review = renderReview({ head: reference, base: { json: spread, label: "three hosts" } });
    expect(bulletsOf(review, "Warnings")).toEqual(["- All 3 control planes run on Proxmox host pve: losing pve stops the cluster."]);
  });
});

describe("renumbering every VM", () => {
  test("replaces them all in one apply: the first warning says quorum and the etcd data are lost", () => {
    const renumbered = synth({ controlPlanes: REFERENCE_NODES.map((node, index) => ({ ...node, vmId: 311 + index })) });
    const review = renderReview({ head: renumbered, base: { json: reference, label: "the reference" } });
    const [first, second] = bulletsOf(review, "Warnings");
    expect(first).toMatch(
      /^- Destroys 3 of the base's 3 control-plane VMs in one apply .*: 0 of 3 etcd members would remain, below the quorum of 2\. The cluster stops/
    );
    expect(second).toBe(
      "- Replaces 3 VMs (k8s-controller1, k8s-controller2, k8s-controller3) because `vm_id` changes: a VM replacement destroys its disk, and with it that node's etcd data."
    );
  });
});

describe("a node's vm_id change", () => {
  const renumbered = synth({ controlPlanes: [{ ...REFERENCE_NODES[0], vmId: 311 }, ...REFERENCE_NODES.slice(1)] });
  const diff = diffStacks(reference, renumbered);

  test("replaces that VM, and says so first", () => {
    // Anything else replaced is replaced only through lifecycle.replace_triggered_by naming that VM.
    const [vm, ...triggered] = diff.changed;
    expect([vm.type, vm.action]).toEqual(["proxmox_virtual_environment_vm", "replace"]);
    for (const change of triggered) {
      expect(change).toMatchObject({ action: "replace", changes: [], triggeredBy: [{ upstream: vm.address, verb: "is replaced" }] });
    }
    expect(diff.changed[0].changes).toEqual([
      expect.objectContaining({ path: "vm_id", before: 211, after: 311, outcome: expect.objectContaining({ kind: "replaces" }) }),
    ]);
    const review = renderReview({ head: renumbered, base: { json: reference, label: "the reference" } });
    expect(bulletsOf(review, "Warnings")[0]).toBe(
      "- Replaces the VM k8s-controller1 because `vm_id` changes: a VM replacement destroys its disk, and with it that node's etcd data."
    );
    const changes = review.slice(review.indexOf("## Changes against the base"));
    expect(changes.indexOf("### Replaced")).toBeGreaterThan(0);
    expect(changes.match(/^### .*/gm)![0]).toBe("### Replaced (destroyed, then created again)");
  });
});

describe("a Talos upgrade (v1.12.11 to v1.13.9)", () => {
  const base = synth({ talosVersion: "v1.12.11", kubernetesVersion: "v1.35.2" });
  const head = synth({ talosVersion: "v1.13.9", kubernetesVersion: "v1.35.2" });
  const diff = diffStacks(base, head);

  test("replaces the image download, and no VM: the disk's import_from is ignored", () => {
    const replaced = diff.changed.filter(({ action }) => action === "replace").map(({ type }) => type);
    expect(replaced).toEqual(["proxmox_download_file"]);
    const vmEffects = diff.indirect.filter(({ address }) => address.startsWith("proxmox_virtual_environment_vm."));
    expect(vmEffects).toHaveLength(3);
    expect(vmEffects.every(({ path, outcome }) => path === "disk.0.import_from" && outcome.kind === "ignored")).toBe(true);
  });

  test("leaves the machine secrets alone: their talos_version is ignored", () => {
    const secrets = diff.changed.find(({ type }) => type === "talos_machine_secrets");
    expect(secrets).toMatchObject({ action: "no-op", changes: [{ path: "talos_version", outcome: { kind: "ignored", by: "talos_version" } }] });
  });
});

describe("replace-or-update classification", () => {
  test("knows conditional rules: a moved VM with migrate = true, a lowered Talos version", () => {
    expect(argumentEffect("proxmox_virtual_environment_vm", "node_name", "pve1", "pve2", { migrate: true }).kind).toBe("in-place");
    expect(argumentEffect("proxmox_virtual_environment_vm", "node_name", "pve1", "pve2", {}).kind).toBe("replaces");
    expect(argumentEffect("talos_machine_secrets", "talos_version", "v1.13.9", "v1.12.11", {}).kind).toBe("replaces");
    expect(argumentEffect("talos_machine_secrets", "talos_version", "v1.12.11", "v1.13.9", {}).kind).toBe("in-place");
  });

  test("says plainly when only terraform plan can tell, and honours ignore_changes = all", () => {
    const withBlock = (type: string, block: Record<string, unknown>): TerraformJson => ({ resource: { [type]: { x: block } } });
    const unknownType = diffStacks(withBlock("example_thing", { size: 1 }), withBlock("example_thing", { size: 2 }));
    expect(unknownType.changed[0].action).toBe("unpredictable");
    const review = renderReview({ head: withBlock("example_thing", { size: 2 }), base: { json: withBlock("example_thing", { size: 1 }), label: "x" } });
    expect(review).toContain("replacement cannot be predicted without terraform plan (example_thing is not in the force-new table)");
    const ignored = diffStacks(
      withBlock("null_resource", { triggers: { a: "1" } }),
      withBlock("null_resource", { triggers: { a: "2" }, lifecycle: { ignore_changes: "all" } })
    );
    expect(ignored.changed[0]).toMatchObject({
      action: "no-op",
      changes: [
        { path: "lifecycle", outcome: { kind: "meta" } },
        { path: "triggers.a", outcome: { kind: "ignored", by: "all" } },
      ],
    });
  });

  test("marks a change that is only in a reference", () => {
    const vm = (file: string): TerraformJson => ({ resource: { proxmox_virtual_environment_vm: { x: { disk: [{ file_id: `\${${file}.id}` }] } } } });
    const [change] = diffStacks(vm("proxmox_download_file.a"), vm("proxmox_download_file.b")).changed[0].changes;
    expect(change).toMatchObject({ path: "disk.0.file_id", referenceOnly: true, outcome: { kind: "replaces" } });
  });
});

describe("the report", () => {
  const head = synth(THREE_HOSTS);
  const input = { head, base: { json: reference, label: "the reference" } };

  test("is deterministic: the same input gives the same bytes, whatever the key order", () => {
    const reversed = JSON.parse(JSON.stringify(head), (_key, value) =>
      value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value
    ) as TerraformJson;
    const first = renderReview(input);
    expect(renderReview(input)).toBe(first);
    expect(renderReview({ ...input, head: reversed })).toBe(first);
  });

  test("holds no absolute path and no sensitive output's value", () => {
    const withSecret = { ...head, output: { ...head.output, kubeconfig: { value: "SECRET-KUBECONFIG", sensitive: true } } };
    const review = renderReview({ ...input, head: withSecret });
    expect(review).not.toContain(root);
    expect(review).not.toContain(os.tmpdir());
    expect(review).not.toMatch(/(^|[\s(`"])\/(home|tmp|work|Users|var)\//m);
    expect(review).not.toContain("SECRET-KUBECONFIG");
  });
});

describe("npm run review", () => {
  const run = (args: string[], outdir: string) =>
    spawnSync(process.execPath, [path.join(root, "app", "run.js"), "review", ...args], {
      cwd: root,
      // TMPDIR: the base revision is extracted there, so the run's temporary folder takes it.
      env: { PATH: process.env.PATH, TMPDIR: os.tmpdir(), CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });

  test("synthesizes, compares with a base folder, writes review.md and prints it", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-review-"));
    const baseDir = path.join(tmp, "base");
    fs.mkdirSync(baseDir);
    fs.writeFileSync(path.join(baseDir, "cdk.tf.json"), synthHomelab({ cluster: THREE_HOSTS }).text);
    const outdir = path.join(tmp, "out");

    const result = run(["--", "--base", baseDir], outdir);

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const written = fs.readFileSync(path.join(outdir, "review.md"), "utf8");
    expect(written).toBe(result.stdout);
    expect(written).toContain("Compared with the folder `base`");
    expect(written).toContain("- Proxmox hosts with control planes: pve1, pve2, pve3 → pve");
    expect(written).not.toContain(tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("fails clearly when --base is neither a folder nor a git revision", () => {
    const result = run(["--base", "no-such-revision-or-folder"], path.join(os.tmpdir(), "homelab-review-unused"));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("review: --base no-such-revision-or-folder is neither a folder nor a git revision of this repository\n");
  });
});
