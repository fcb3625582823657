import { loadHomelabConfig, parseHomelabConfig } from "../../config/load-homelab-config";
import { problemsOf } from "../support/config-problems";
import { synthHomelab } from "../support/synth";
import { PROJECT_ROOT } from "../support/project-root";


describe("HOMELAB_CONFIG file", () => {
  test("an empty file means the reference homelab", () => {
    expect(parseHomelabConfig("empty.yaml", "")).toEqual({ proxmox: {}, cluster: {}, backend: {} });
  });

  test("maps the documented YAML layout onto the stack props", () => {
    const props = parseHomelabConfig(
      "homelab.yaml",
      `
clusterName: lab
talosVersion: v1.12.11
kubernetesVersion: v1.35.2
vip: 10.0.0.10
network: { cidr: 10.0.0.0/24, gateway: 10.0.0.1, dnsServers: [10.0.0.1, 9.9.9.9], bridge: vmbr1 }
proxmox: { endpoint: "https://10.0.0.2:8006", node: pve1, insecure: true }
vm: { cores: 4, memoryMib: 8192, diskGib: 40, datastoreId: tank, cpuType: x86-64-v2-AES, imageImport: ssh }
vipReadyTimeoutSeconds: 900
controlPlanes:
  - { name: cp1, ip: 10.0.0.11, vmId: 1011 }
  - { name: cp2, ip: 10.0.0.12, proxmoxNode: pve2 }
  - { name: cp3, ip: 10.0.0.13, cores: 8 }
`,
    );
    expect(props).toEqual({
      backend: {},
      proxmox: { endpoint: "https://10.0.0.2:8006", insecure: true },
      cluster: {
        clusterName: "lab",
        talosVersion: "v1.12.11",
        kubernetesVersion: "v1.35.2",
        vip: "10.0.0.10",
        networkCidr: "10.0.0.0/24",
        gateway: "10.0.0.1",
        dnsServers: ["10.0.0.1", "9.9.9.9"],
        bridge: "vmbr1",
        proxmoxNode: "pve1",
        cores: 4,
        memoryMib: 8192,
        diskSizeGib: 40,
        datastoreId: "tank",
        cpuType: "x86-64-v2-AES",
        imageImport: "ssh",
        vipReadyTimeoutSeconds: 900,
        controlPlanes: [
          { name: "cp1", ip: "10.0.0.11", vmId: 1011 },
          { name: "cp2", ip: "10.0.0.12", proxmoxNode: "pve2" },
          { name: "cp3", ip: "10.0.0.13", cores: 8 },
        ],
      },
    });
  });

  test("reads JSON too", () => {
    expect(parseHomelabConfig("homelab.json", '{"clusterName": "lab"}').cluster).toEqual({ clusterName: "lab" });
  });

  test("fails on text that does not parse, naming the file", () => {
    expect(problemsOf("vip: [unclosed", "bad.yaml")).toMatch(/^HOMELAB_CONFIG bad\.yaml is not usable:\n {2}does not parse as YAML or JSON: /);
  });

  test("fails on duplicate keys rather than silently keeping the last", () => {
    expect(problemsOf("vip: 192.168.1.210\nvip: 192.168.1.220\n")).toMatch(/does not parse as YAML or JSON: .*unique/i);
  });

  test("fails on an unknown field and suggests the likely one", () => {
    expect(problemsOf("network: { cidr: 192.168.1.0/24, gatway: 192.168.1.1 }")).toContain(
      "network.gatway: unknown field; did you mean gateway? (known here: cidr, gateway, dnsServers, bridge, vlanId)",
    );
    expect(problemsOf("clustername: lab")).toContain("clustername: unknown field; did you mean clusterName?");
  });

  test("fails on wrong types, naming field and value", () => {
    const message = problemsOf('vm: { cores: "two", memoryMib: 4096.5 }\nproxmox: { insecure: "yes" }\ncontrolPlanes: { name: cp1 }');
    expect(message).toContain('vm.cores = "two": must be a whole number');
    expect(message).toContain("vm.memoryMib = 4096.5: must be a whole number");
    expect(message).toContain('proxmox.insecure = "yes": must be true or false');
    expect(message).toContain('controlPlanes = {"name":"cp1"}: must be a list');
  });

  test("fails on a control plane without name or ip", () => {
    expect(problemsOf("controlPlanes:\n  - { name: cp1 }\n")).toContain("controlPlanes[0].ip: missing; it is required");
  });

  test("reports rule violations under the field names of the file", () => {
    const message = problemsOf("network: { cidr: 192.168.1.5/24 }\nvm: { cores: 1, diskGib: 4 }\n");
    expect(message).toContain('network.cidr = "192.168.1.5/24": host bits are set; the network is 192.168.1.0/24');
    expect(message).toContain("vm.diskGib = 4: Talos needs at least 10 GiB");
    // Three nodes inherit vm.cores; the problem is reported once, where it was written.
    expect(message.match(/vm\.cores = 1:/g)).toHaveLength(1);
  });

  test("a node's disk size is diskGib in the file (as vm.diskGib) and diskSizeGib in the props", () => {
    // GIVEN a control plane with its own, too small, disk
    const nodes = "controlPlanes:\n  - { name: a, ip: 192.168.1.211, diskGib: 4 }\n  - { name: b, ip: 192.168.1.212, diskGib: 40 }\n  - { name: c, ip: 192.168.1.213 }\n";
    // THEN the problem names the file's key, and a valid one reaches the props under the prop's
    expect(problemsOf(nodes)).toContain("controlPlanes[0].diskGib = 4: Talos needs at least 10 GiB for a control plane");
    const props = parseHomelabConfig("lab.yaml", nodes.replace("diskGib: 4", "diskGib: 20"));
    expect(props.cluster?.controlPlanes?.map((node) => node.diskSizeGib)).toEqual([20, 40, undefined]);
  });

  test("fails on the props' name diskSizeGib in a node of the file", () => {
    expect(problemsOf("controlPlanes:\n  - { name: a, ip: 192.168.1.211, diskSizeGib: 20 }\n")).toMatch(/controlPlanes\[0\]\.diskSizeGib.*(unknown|not a field)/);
  });

  test("reports a per-node override under the node", () => {
    const message = problemsOf(
      "controlPlanes:\n  - { name: a, ip: 192.168.1.211, cores: 1 }\n  - { name: b, ip: 192.168.1.212 }\n  - { name: c, ip: 192.168.1.213 }\n",
    );
    expect(message).toContain("controlPlanes[0].cores = 1: Talos needs at least 2 cores");
    expect(message).not.toContain("vm.cores");
  });

  test("refuses credentials in the file, without echoing them", () => {
    const message = problemsOf('proxmox: { endpoint: "https://pve:8006", apiToken: "root@pam!cdktf=0123abcd-0000-4000-8000-000000000000" }');
    expect(message).toContain('proxmox.apiToken = "***": API tokens and passwords never go in the file');
    expect(message).not.toContain("0123abcd");
    expect(problemsOf('clusterName: "PVEAPIToken=root@pam!x=not-real"')).toContain("clusterName = \"***\"");
  });

  test("refuses a Proxmox endpoint that is not https or embeds credentials", () => {
    expect(problemsOf('proxmox: { endpoint: "http://pve:8006" }')).toContain("the Proxmox API must be reached over https");
    const message = problemsOf('proxmox: { endpoint: "https://root:hunter2@pve:8006" }');
    expect(message).toContain("must not embed credentials");
    expect(message).not.toContain("hunter2");
  });
});

describe("examples/", () => {
  const examples = require("node:fs").readdirSync(`${PROJECT_ROOT}/examples`) as string[];

  test.each(examples)("%s loads without problems", (file) => {
    expect(() => loadHomelabConfig(`${PROJECT_ROOT}/examples/${file}`)).not.toThrow();
  });

  test("reference-homelab.yaml spells out exactly the defaults", () => {
    const fromFile = synthHomelab(loadHomelabConfig(`${PROJECT_ROOT}/examples/reference-homelab.yaml`)).text;
    expect(fromFile).toBe(synthHomelab().text);
  });
});
