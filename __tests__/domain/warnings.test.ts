/** One warning rule set: the synth and the review say the same of the same cluster. */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { clusterWarnings, resolveClusterSpec, warningSubjectOf } from "../../domain";
import { configurationWarnings, haFacts } from "../../review/ha-facts";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { PROJECT_ROOT } from "../support/project-root";
import { synthHomelab } from "../support/synth";

const examples = fs.readdirSync(path.join(PROJECT_ROOT, "examples")).filter((file) => file.endsWith(".yaml")).sort();

describe("clusterWarnings", () => {
  test.each(examples)("the review of %s lists the synth's warnings, as sentences", (file) => {
    // GIVEN an example configuration
    const props = loadHomelabConfig(path.join(PROJECT_ROOT, "examples", file));
    // WHEN the synth (from the spec) and the review (from the synthesized JSON) warn
    const fromSpec = clusterWarnings(warningSubjectOf(resolveClusterSpec(props.cluster)));
    const model = stackModel(synthHomelab(props).json as TerraformJson);
    const fromReview = configurationWarnings(model, haFacts(model));
    // THEN the review says each of the synth's warnings, in the same order (the review cannot see the scheduling setting)
    const knowable = fromSpec.filter((warning) => !warning.startsWith("allowSchedulingOnControlPlanes"));
    expect(fromReview.slice(0, knowable.length)).toEqual(knowable.map((warning) => `${warning}.`));
  });

  test("the review warns as the synth does about versions that are not known releases and extensions outside the official list", () => {
    // GIVEN a cluster with an unknown Talos and Kubernetes patch and a misspelt extension
    const cluster = { talosVersion: "v1.13.99", kubernetesVersion: "v1.36.99", systemExtensions: ["siderolabs/qemu-guest-agnet"] };
    // WHEN the synth and the review warn
    const fromSpec = clusterWarnings(warningSubjectOf(resolveClusterSpec(cluster)));
    const model = stackModel(synthHomelab({ cluster }).json as TerraformJson);
    const fromReview = configurationWarnings(model, haFacts(model));
    // THEN both name the three, the review as sentences
    const named = fromSpec.filter((warning) => /^(talosVersion|kubernetesVersion|talos\.systemExtensions) /.test(warning));
    expect(named).toEqual([
      expect.stringMatching(/^talosVersion v1\.13\.99 is not a known Talos release \(yet\): the newest known Talos 1\.13 patch is v1\.13\.9/),
      expect.stringMatching(/^kubernetesVersion v1\.36\.99 is not a known Kubernetes release \(yet\): the newest known Kubernetes 1\.36 patch is v1\.36\.3/),
      expect.stringMatching(/^talos\.systemExtensions has siderolabs\/qemu-guest-agnet, .* did you mean siderolabs\/qemu-guest-agent\?$/),
    ]);
    expect(fromReview).toEqual(expect.arrayContaining(named.map((warning) => `${warning}.`)));
  });

  test("no CPU warning under HA with a named CPU model, nor for cpuType host without HA", () => {
    const subject = { controlPlanes: [{ name: "cp1", proxmoxHost: "pve1" }, { name: "cp2", proxmoxHost: "pve2" }, { name: "cp3", proxmoxHost: "pve3" }], knownHosts: ["pve1", "pve2", "pve3"], workerCount: 1 };
    expect(clusterWarnings({ ...subject, proxmoxHa: { cpuType: "x86-64-v2-AES" } })).toEqual([]);
    expect(clusterWarnings(subject)).toEqual([]);
  });

  test("the reference homelab warns once: every control plane on host pve", () => {
    expect(clusterWarnings(warningSubjectOf(resolveClusterSpec()))).toEqual(["All 3 control planes run on Proxmox host pve: losing pve stops the cluster"]);
  });

  test("a host whose loss breaks quorum, and control planes doubled up while a host is free", () => {
    const subject = {
      controlPlanes: [
        { name: "cp1", proxmoxHost: "pve1" },
        { name: "cp2", proxmoxHost: "pve1" },
        { name: "cp3", proxmoxHost: "pve2" },
      ],
      knownHosts: ["pve1", "pve2", "pve3"],
      workerCount: 0,
      allowSchedulingOnControlPlanes: false,
      proxmoxHa: { cpuType: "host" },
      talosVersion: "v1.13.7",
    };
    expect(clusterWarnings(subject)).toEqual([
      "Proxmox host pve1 runs 2 of 3 control planes: losing pve1 leaves 1, below the quorum of 2, and stops the cluster",
      expect.stringMatching(/^Control planes cp1 and cp2 share Proxmox host pve1 while pve3 carries none: losing pve1 takes 2 etcd members at once/),
      expect.stringMatching(/^allowSchedulingOnControlPlanes is false and there are no workers/),
      expect.stringMatching(/^Proxmox HA is on and vm.cpuType is host: every move HA makes .* live-migrates a running VM between hosts whose CPUs may differ/),
      expect.stringMatching(/^Talos v1\.13\.7 predates the fix of a stale VIP election key/),
    ]);
  });
});
