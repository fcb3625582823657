import * as fs from "node:fs";
import * as path from "node:path";
import { loadHomelabConfig, parseHomelabConfig } from "../../config/load-homelab-config";
import { CLUSTER_FIELDS } from "../../domain";
import { problemLinesOf, problemsOf } from "../support/config-problems";
import { synthHomelab } from "../support/synth";
import { PROJECT_ROOT } from "../support/project-root";


describe("HOMELAB_CONFIG file", () => {
  test("an empty mapping ({}) means the reference homelab", () => {
    expect(parseHomelabConfig("defaults.json", "{}")).toEqual({ proxmox: {}, cluster: {}, backend: {} });
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
    expect(problemsOf("vip: [unclosed", "bad.yaml")).toMatch(/^HOMELAB_CONFIG bad\.yaml is not usable:\n {2}does not parse as YAML or JSON at line 1, column 15: flow sequence .* end with a \]/);
  });

  test("fails on duplicate keys rather than silently keeping the last", () => {
    expect(problemsOf("vip: 192.168.1.210\nvip: 192.168.1.220\n")).toMatch(/does not parse as YAML or JSON at line 2, column 1: a field is written twice; each field may appear once in its section/);
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
  // One file, one cluster; a folder of clusters is another loader's (config/load-clusters.ts).
  const examples = fs.readdirSync(`${PROJECT_ROOT}/examples`).filter((name) => fs.statSync(`${PROJECT_ROOT}/examples/${name}`).isFile());

  test.each(examples)("%s loads without problems", (file) => {
    expect(() => loadHomelabConfig(`${PROJECT_ROOT}/examples/${file}`)).not.toThrow();
  });

  test("reference-homelab.yaml spells out exactly the defaults", () => {
    const fromFile = synthHomelab(loadHomelabConfig(`${PROJECT_ROOT}/examples/reference-homelab.yaml`)).text;
    expect(fromFile).toBe(synthHomelab().text);
  });
});

/**
 * What a reader of a refused file sees (issue 16): the field as the file
 * writes it, the value with any secret masked, the reason and the fix; no
 * follow-on error of a field already reported; at most ten problems of a kind.
 */
describe("messages", () => {
  describe("a file with no settings", () => {
    test.each([
      ["holds only comments", "# my homelab\n# TODO: fill in\n"],
      ["is empty", ""],
      ["holds only blank lines", "\n   \n"],
      ["holds only null", "~\n"],
    ])("fails when the file %s, saying how to get the reference homelab and what to write", (_, text) => {
      // GIVEN a file that sets nothing
      // WHEN it is loaded
      const lines = problemLinesOf(text, "lab.yaml");
      // THEN it is refused, rather than silently becoming the reference homelab
      expect(lines).toEqual([
        "the file has no settings (it is empty or holds only comments); for the reference homelab, unset HOMELAB_CONFIG (`unset HOMELAB_CONFIG`); " +
          "otherwise write the fields that differ from it, e.g. `clusterName: lab` (every field: docs/configuration.md), or `{}` to take every default",
      ]);
    });
  });

  describe("credentials in a URL", () => {
    test("fails on an http endpoint with a password: says https is needed, not http, and masks the password", () => {
      // GIVEN an http endpoint that embeds root's password
      // WHEN it is loaded
      const lines = problemLinesOf('proxmox: { endpoint: "http://root:hunter2@pve:8006" }');
      // THEN
      expect(lines).toEqual([
        'proxmox.endpoint = "http://root:***@pve:8006": the Proxmox API must be reached over https, not http (the API token goes with every request), ' +
          "and the URL must not embed credentials; write it as https://<host>:8006 and export PROXMOX_VE_API_TOKEN instead",
      ]);
    });

    test.each([
      ["an ftp endpoint", 'proxmox: { endpoint: "ftp://root:hunter2@pve:8006" }', 'proxmox.endpoint = "ftp://root:***@pve:8006": the Proxmox API must be reached over https, and the URL'],
      ["a user alone (it may be a token)", 'proxmox: { endpoint: "https://hunter2@pve:8006" }', 'proxmox.endpoint = "https://***@pve:8006": must not embed credentials'],
      ["a realm in the user", 'proxmox: { endpoint: "https://root@pam:hunter2@pve:8006" }', 'proxmox.endpoint = "https://root@pam:***@pve:8006": must not embed credentials'],
      ["a Terraform expression beside it", 'proxmox: { endpoint: "https://root:hunter2@pve:8006/${x}" }', 'proxmox.endpoint = "https://root:***@pve:8006/${x}": contains "${"'],
      ["an http image factory", 'talos: { imageFactoryUrl: "http://me:hunter2@factory.lan" }', 'talos.imageFactoryUrl = "http://me:***@factory.lan": must be an https:// URL, e.g. https://factory.talos.dev, and must not embed credentials'],
      ["a URL where an address belongs", 'vip: "https://admin:hunter2@10.0.0.1"', 'vip = "https://admin:***@10.0.0.1": a URL, not an address; give the IPv4 address alone'],
      ["a URL where a list belongs", 'controlPlanes: "ssh://root:hunter2@pve"', 'controlPlanes = "ssh://root:***@pve": must be a list'],
      ["a URL on a line that does not parse", 'proxmox:\n  endpoint: "http://root:hunter2@pve:8006\n', '2 |   endpoint: "http://root:***@pve:8006'],
      ["a token on a line that does not parse", "proxmox: { apiToken: hunter2, endpoint: [ }\n", "1 | proxmox: { apiToken: ***, endpoint: [ }"],
    ])("fails on %s without echoing the password", (_, text, masked) => {
      // GIVEN a file with a password in a URL, WHEN it is loaded
      const message = problemsOf(text);
      // THEN the message shows the URL with the password masked
      expect(message).toContain(masked);
      expect(message).not.toContain("hunter2");
    });
  });

  describe("a file that does not parse", () => {
    test("fails with the reason, the line and column, the fix and the offending line, without a dangling colon", () => {
      // GIVEN a value holding ": " unquoted on line 2
      // WHEN it is loaded
      const message = problemsOf("clusterName: lab\nvip: 10.0.0.10: 6443\n", "lab.yaml");
      // THEN
      expect(message).toBe(
        [
          "HOMELAB_CONFIG lab.yaml is not usable:",
          '  does not parse as YAML or JSON at line 2, column 6: nested mappings are not allowed in compact mappings; quote a value that holds ": " (name: "a: b"), and put a nested field on a line of its own, indented',
          "    1 | clusterName: lab",
          "    2 | vip: 10.0.0.10: 6443",
          "      |      ^",
        ].join("\n"),
      );
    });

    test("fails on a quote left open at the line where it was opened, not at the end of the file", () => {
      const message = problemsOf('clusterName: lab\nvip: "10.0.0.10\nnetwork: { cidr: 10.0.0.0/24 }\n');
      expect(message).toContain('does not parse as YAML or JSON at line 2, column 6: the " opened here is never closed; close it where the text ends, on the same line\n    1 | clusterName: lab\n    2 | vip: "10.0.0.10\n      |      ^');
    });

    test("fails on a tab in the indentation, with the caret under it", () => {
      expect(problemLinesOf("vm:\n\tcores: 4\n")).toEqual([
        "does not parse as YAML or JSON at line 2, column 1: tabs are not allowed as indentation; indent with spaces, not tabs\n  1 | vm:\n  2 | \tcores: 4\n    | ^",
      ]);
    });

    test("fails on a second YAML document, in words for the file's author", () => {
      expect(problemLinesOf("clusterName: lab\n---\nclusterName: prod\n")[0]).toMatch(
        /^does not parse as YAML or JSON at line 2, column 1: the file holds more than one YAML document; a file describes one cluster: remove the --- line/,
      );
    });

    test("fails with the first error only, and says how many more follow", () => {
      expect(problemLinesOf("- a\nb: 1\n")).toEqual([expect.stringMatching(/^does not parse as YAML or JSON at line 2, column 1: .* \(2 more YAML errors after it, often from the same slip: fix this one and run again\)\n/)]);
    });
  });

  describe("follow-on errors and derived values", () => {
    test("fails on a bad network.cidr once, without the gateway and DNS server derived from it", () => {
      expect(problemLinesOf("network: { cidr: 192.168.1.0/33 }")).toEqual(['network.cidr = "192.168.1.0/33": not an IPv4 network; write it in CIDR notation, e.g. 192.168.1.0/24']);
    });

    test("fails on a bad network.gateway once, without the DNS server that defaults to it", () => {
      expect(problemLinesOf("network: { gateway: 192.168.1.x }")).toEqual([
        'network.gateway = "192.168.1.x": not an IPv4 address; write four numbers 0-255 separated by dots, e.g. 192.168.1.211',
      ]);
    });

    test("fails on a DNS server the file writes, as written", () => {
      expect(problemLinesOf("network: { dnsServers: [192.168.1.x, 1.1.1.1] }")).toEqual([
        'network.dnsServers[0] = "192.168.1.x": not an IPv4 address; write four numbers 0-255 separated by dots, e.g. 192.168.1.211',
      ]);
    });

    test("fails on a derived gateway saying where it came from, under the file's names", () => {
      const text = "network: { cidr: 192.168.1.210/31 }\nvip: 192.168.1.211\nallowSingleNode: true\ncontrolPlanes: [{ name: a, ip: 192.168.1.210, vmId: 300 }]\n";
      expect(problemLinesOf(text)).toContain(
        'network.gateway = "192.168.1.211" (not set: the first host address of network.cidr): is the broadcast address of 192.168.1.210/31; pick a host address',
      );
    });

    test("fails on a duplicate address once, not again as the VM id derived from it", () => {
      const text = "controlPlanes:\n  - { name: a, ip: 192.168.1.211 }\n  - { name: b, ip: 192.168.1.212 }\n  - { name: c, ip: 192.168.1.211 }\n";
      expect(problemLinesOf(text)).toEqual(['controlPlanes[2].ip = "192.168.1.211": duplicates controlPlanes[0]; each control plane needs its own address']);
    });

    test("fails on a bad host in proxmox.nodes there only, not under the control planes placed on it", () => {
      expect(problemLinesOf('proxmox: { nodes: [pve1, "bad host"] }')).toEqual([
        'proxmox.nodes[1] = "bad host": not a valid Proxmox node name; use the host\'s name as Proxmox shows it, e.g. pve1',
      ]);
    });

    test("fails on a bad proxmox.node once, not under every node that runs on it", () => {
      expect(problemLinesOf('proxmox: { node: "bad host" }')).toEqual([
        'proxmox.node = "bad host": not a valid Proxmox node name; use the host\'s name as Proxmox shows it, e.g. pve',
      ]);
    });
  });

  describe("numbers out of range", () => {
    test("fails on a disk above the maximum saying it is too large and what the maximum is, not why the minimum", () => {
      expect(problemLinesOf("vm: { diskGib: 1000000 }")).toEqual(["vm.diskGib = 1000000: too large: the maximum is 65536 GiB; use a value from 10 to 65536"]);
    });

    test("fails on a worker's memory above the maximum the same way", () => {
      expect(problemLinesOf("workerVm: { memoryMib: 5000000 }\nworkers: [{ name: w1, ip: 192.168.1.221 }]")).toEqual([
        "workerVm.memoryMib = 5000000: too large: the maximum is 4194304 MiB; use a value from 1024 to 4194304",
      ]);
    });

    test("fails on a disk below the minimum with Talos's reason", () => {
      expect(problemLinesOf("vm: { diskGib: 4 }")).toEqual(["vm.diskGib = 4: Talos needs at least 10 GiB for a control plane; use a value from 10 to 65536"]);
    });

    test("fails on a VM id set below 100 without telling the user to set it", () => {
      const lines = problemLinesOf("controlPlanes:\n  - { name: a, ip: 192.168.1.211, vmId: 50 }\n  - { name: b, ip: 192.168.1.212 }\n  - { name: c, ip: 192.168.1.213 }\n");
      expect(lines).toEqual(["controlPlanes[0].vmId = 50: Proxmox VM ids are integers from 100 to 999999999 (Proxmox reserves those below 100); pick an id from 100 up"]);
      expect(lines.join("\n")).not.toMatch(/explicitly/);
    });

    test("fails on a VM id set above the maximum saying it is too large", () => {
      expect(problemLinesOf("workers: [{ name: w, ip: 192.168.1.221, vmId: 1000000000 }]")).toEqual([
        "workers[0].vmId = 1000000000: too large: Proxmox VM ids are integers from 100 to 999999999; pick an id of at most 999999999",
      ]);
    });
  });

  describe("field names", () => {
    /** Prop names that are no English word and differ from the file's (`networkCidr` for `network.cidr`). */
    const propOnlyNames = Object.entries(CLUSTER_FIELDS)
      .filter(([prop, schema]) => /[A-Z]/.test(prop) && schema.file !== prop)
      .map(([prop]) => prop);

    test("fails naming the file's fields inside the message text too", () => {
      const lines = problemLinesOf("network: { cidr: 192.168.1.0/24 }\nproxmox: { nodes: [pve1, pve1] }\ncontrolPlanes:\n  - { name: a, ip: 192.168.2.211 }\n  - { name: b, ip: 192.168.1.212 }\n  - { name: c, ip: 192.168.1.213 }\n");
      expect(lines).toEqual([
        'controlPlanes[0].ip = "192.168.2.211": must be inside network.cidr 192.168.1.0/24; pick an address in that network',
        'proxmox.nodes[1] = "pve1": duplicates proxmox.nodes[0]; list each host once',
      ]);
    });

    test("fails on a file breaking many rules with no internal prop name in any message", () => {
      // GIVEN a file whose shape fits but which breaks rule after rule
      const text = [
        "talosVersion: v1.11.6",
        'network: { cidr: 192.168.1.0/24, gateway: 192.168.2.1, dnsServers: [dns.example], bridge: "vmbr 0", vlanId: 5000 }',
        "vip: 192.168.1.0",
        'proxmox: { node: "bad host", nodes: [pve1, pve1, "bad host"] }',
        'vm: { cores: 1, memoryMib: 1024, diskGib: 1000000, datastoreId: "local lvm", imageDatastoreId: "x y", cpuType: "-" }',
        "workerVm: { cores: 0, memoryMib: 512, diskGib: 5 }",
        'talos: { systemExtensions: [Bad], imageFactoryUrl: "http://factory.talos.dev" }',
        "controlPlanes:",
        "  - { name: a, ip: 192.168.1.211, vmId: 50 }",
        "  - { name: a, ip: 10.0.0.1 }",
        "workers:",
        '  - { name: w1, ip: 192.168.1.211, proxmoxNode: "${x}" }',
      ].join("\n");
      // WHEN it is loaded
      const message = problemsOf(text);
      // THEN every problem is there, and none names a field by its prop name
      expect(message.split("\n").length).toBeGreaterThan(20);
      expect(propOnlyNames).toEqual(expect.arrayContaining(["networkCidr", "proxmoxNodes", "diskSizeGib", "workerMemoryMib"]));
      for (const prop of propOnlyNames) expect(message).not.toMatch(new RegExp(`(?<![.\\w])${prop}(?!\\w)`));
    });
  });

  describe("repeated problems", () => {
    test("fails on 600 workers on a /16 with ten VM id collisions of a kind, then how many more", () => {
      // GIVEN 600 workers on a /16, whose VM ids (from the last octet of the address) collide by the hundred
      const workers = Array.from({ length: 600 }, (_, i) => `  - { name: w${i}, ip: 10.0.${Math.floor(i / 200) + 1}.${(i % 200) + 20} }`);
      const text = ["network: { cidr: 10.0.0.0/16 }", "vip: 10.0.0.10", "controlPlanes:", "  - { name: a, ip: 10.0.0.211 }", "  - { name: b, ip: 10.0.0.212 }", "  - { name: c, ip: 10.0.0.213 }", "workers:", ...workers].join("\n");
      // WHEN it is loaded
      const lines = problemLinesOf(text);
      // THEN ten collisions among workers are printed, then one line for the rest
      const more = lines.indexOf("and 384 more like it");
      expect(more).toBeGreaterThan(0);
      expect(lines.filter((line) => /^workers\[\d+\]\.vmId = \d+ .*: duplicates workers\[\d+\]/.test(line))).toHaveLength(10);
      expect(lines[more - 1]).toMatch(/^workers\[209\]\.vmId = 1029 \(not set: derived from the last octet of the IP 10\.0\.2\.29\): duplicates workers\[9\]/);
      expect(lines.length).toBeLessThanOrEqual(25);
    });
  });

  describe("a file that cannot be read", () => {
    test("fails on a relative path that does not exist, naming it as given and as resolved", () => {
      const given = path.join("no-such-folder", "homelab.yaml");
      expect(() => loadHomelabConfig(given)).toThrow(
        `cannot read the file (ENOENT): ${given} resolves to ${path.resolve(given)}, which does not exist; a relative path is read from ${process.cwd()}`,
      );
    });

    test("fails on an absolute path that does not exist, naming it", () => {
      expect(() => loadHomelabConfig("/no-such-folder/homelab.yaml")).toThrow(/^HOMELAB_CONFIG \/no-such-folder\/homelab\.yaml is not usable:\n {2}cannot read the file \(ENOENT\): \/no-such-folder\/homelab\.yaml does not exist; check the path in HOMELAB_CONFIG$/);
    });
  });
});

describe("docs/configuration.md", () => {
  // The files behind the refusals the page shows, by the name it gives them.
  const files: Record<string, string> = {
    "homelab2.yaml": "network: { cidr: 192.168.1.0/24, gatway: 192.168.1.1 }\nvm: { cores: two }\n",
    "homelab.yaml": [
      "talosVersion: v1.11.6",
      "network: { cidr: 10.0.0.0/16 }",
      "vip: 10.0.0.10",
      'proxmox: { endpoint: "http://root:hunter2@10.0.0.2:8006" }',
      "controlPlanes:",
      "  - { name: cp1, ip: 10.0.0.211 }",
      "  - { name: cp2, ip: 10.0.1.211 }",
      "  - { name: cp3, ip: 10.0.0.213 }",
    ].join("\n"),
    "lab.yaml": "clusterName: lab\nvip: 10.0.0.10: 6443\n",
  };
  const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "configuration.md"), "utf8");
  const shown = [...page.matchAll(/```text\n(HOMELAB_CONFIG (\S+) is not usable:\n[\s\S]*?)\n```/g)].map(([, block, file]) => [file, block] as const);

  test("shows the refusals of the files above", () => {
    expect(shown.map(([file]) => file)).toEqual(Object.keys(files));
  });

  test.each(shown)("shows %s refused exactly as the loader words it", (file, block) => {
    expect(problemsOf(files[file], file)).toBe(block);
  });
});
