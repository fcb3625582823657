/**
 * What the cluster description must satisfy, case by case: each input is
 * refused with a message that names the field, the value and the fix. The
 * same rules run in the construct (props) and the HOMELAB_CONFIG loader
 * (file); file-only rules (unknown fields, types, credentials) are at the end.
 */
import { ControlPlaneHaProps, clusterWarnings, fieldRef, warningSubjectOf, formatProblem, problemFormatter, resolveClusterSpec, validateClusterSpec, validateProxmoxEndpoint } from "../../domain";
import { maskUrlCredentials } from "../../domain/url-credentials";
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { specProblemsOf } from "../support/spec-problems";
import { problemsOf as configProblemsOf } from "../support/config-problems";

const nodes = (count: number, name = (i: number) => `cp${i}`) =>
  Array.from({ length: count }, (_, i) => ({ name: name(i + 1), ip: `192.168.1.${211 + i}` }));



describe("the reference homelab", () => {
  test("has no problems", () => {
    expect(specProblemsOf({})).toEqual([]);
  });
});

describe("refused cluster descriptions", () => {
  const cases: [string, ControlPlaneHaProps, RegExp][] = [
    // control-plane count
    ["no control planes", { controlPlanes: [] }, /^controlPlanes = 0: no control planes; give 3 \(or 5 or 7\)/],
    ["two control planes", { controlPlanes: nodes(2) }, /^controlPlanes = 2: an even count adds cost but no tolerance: 2 nodes tolerate 0 failures, like 1; use 3$/],
    ["four control planes", { controlPlanes: nodes(4) }, /^controlPlanes = 4: an even count adds cost but no tolerance: 4 nodes tolerate 1 failure, like 3; use 3 or 5$/],
    ["six control planes", { controlPlanes: nodes(6) }, /^controlPlanes = 6: .* 6 nodes tolerate 2 failures, like 5; use 5 or 7$/],
    ["eight control planes", { controlPlanes: nodes(8) }, /^controlPlanes = 8: an even count .*; use 7$/],
    ["nine control planes", { controlPlanes: nodes(9) }, /^controlPlanes = 9: more than 7 etcd members slows every write .*; use 7 at most$/],
    ["a single control plane without allowSingleNode", { controlPlanes: nodes(1) }, /^controlPlanes = 1: a single control plane is not highly available; .* set allowSingleNode: true/],
    // addresses
    ["a VIP octet above 255", { vip: "192.168.1.300" }, /^vip = "192\.168\.1\.300": not an IPv4 address; write four numbers 0-255/],
    ["a node address with three octets", { controlPlanes: [{ name: "a", ip: "192.168.1" }, ...nodes(2).slice(1)] }, /^controlPlanes\[0\]\.ip = "192\.168\.1": not an IPv4 address/],
    ["a node address that is a word", { controlPlanes: [{ name: "a", ip: "abc" }, ...nodes(3).slice(1)] }, /^controlPlanes\[0\]\.ip = "abc": not an IPv4 address/],
    ["leading zeros", { gateway: "192.168.001.5" }, /^gateway = "192\.168\.001\.5": leading zeros are ambiguous .*; write 192\.168\.1\.5$/],
    ["an IPv6 VIP", { vip: "fd00::210" }, /^vip = "fd00::210": IPv6 is not supported here; give an IPv4 address/],
    ["a CIDR with a prefix above 32", { networkCidr: "192.168.1.0/33" }, /^networkCidr = "192\.168\.1\.0\/33": not an IPv4 network; write it in CIDR notation/],
    ["a CIDR with host bits set", { networkCidr: "192.168.1.5/24" }, /^networkCidr = "192\.168\.1\.5\/24": host bits are set; the network is 192\.168\.1\.0\/24$/],
    ["a node outside the network", { controlPlanes: [{ name: "a", ip: "192.168.2.211" }, ...nodes(3).slice(1)] }, /^controlPlanes\[0\]\.ip = "192\.168\.2\.211": must be inside networkCidr 192\.168\.1\.0\/24/],
    ["a VIP outside the network", { vip: "10.0.0.210" }, /^vip = "10\.0\.0\.210": the VIP .* must be inside networkCidr 192\.168\.1\.0\/24/],
    ["the VIP on a node's address", { vip: "192.168.1.212" }, /^vip = "192\.168\.1\.212": is also the address of control plane k8s-controller2; the VIP must be a free address/],
    ["the VIP on the gateway", { vip: "192.168.1.1" }, /^vip = "192\.168\.1\.1": is the gateway's address; pick a free address for the VIP$/],
    ["the VIP on the network address", { vip: "192.168.1.0" }, /^vip = "192\.168\.1\.0": is the network address of 192\.168\.1\.0\/24; pick a host address$/],
    ["the VIP on the broadcast address", { vip: "192.168.1.255" }, /^vip = "192\.168\.1\.255": is the broadcast address of 192\.168\.1\.0\/24/],
    ["duplicate node addresses", { controlPlanes: [...nodes(2), { name: "cp3", ip: "192.168.1.211", vmId: 300 }] }, /^controlPlanes\[2\]\.ip = "192\.168\.1\.211": duplicates controlPlanes\[0\]; each control plane needs its own address$/],
    ["a node on the gateway's address", { gateway: "192.168.1.213" }, /^controlPlanes\[2\]\.ip = "192\.168\.1\.213": is the gateway's address/],
    ["a gateway outside the network", { gateway: "192.168.2.1" }, /^gateway = "192\.168\.2\.1": the gateway must be inside networkCidr 192\.168\.1\.0\/24/],
    ["no DNS servers", { dnsServers: [] }, /^dnsServers = \[\]: no DNS servers; Talos needs one/],
    ["a malformed DNS server", { dnsServers: ["dns.example"] }, /^dnsServers\[0\] = "dns\.example": not an IPv4 address/],
    // names and ids
    ["duplicate node names", { controlPlanes: [...nodes(2), { name: "cp1", ip: "192.168.1.213" }] }, /^controlPlanes\[2\]\.name = "cp1": duplicates controlPlanes\[0\]; node names must be unique/],
    ["an upper-case node name", { controlPlanes: nodes(3, (i) => `K8s-Controller${i}`) }, /^controlPlanes\[0\]\.name = "K8s-Controller1": must be a DNS-1123 label/],
    ["an underscore in a node name", { controlPlanes: nodes(3, (i) => `k8s_controller${i}`) }, /^controlPlanes\[0\]\.name = "k8s_controller1": must be a DNS-1123 label/],
    ["a node name longer than 63", { controlPlanes: nodes(3, (i) => `${"a".repeat(63)}${i}`) }, /^controlPlanes\[0\]\.name = "a{63}1": must be a DNS-1123 label: 1-63/],
    ["a node name with a leading dash", { controlPlanes: nodes(3, (i) => `-cp${i}`) }, /^controlPlanes\[0\]\.name = "-cp1": must be a DNS-1123 label/],
    ["an invalid cluster name", { clusterName: "Home_Lab" }, /^clusterName = "Home_Lab": must be a DNS-1123 label/],
    ["duplicate VM ids", { controlPlanes: [...nodes(2), { name: "cp3", ip: "192.168.1.213", vmId: 211 }] }, /^controlPlanes\[2\]\.vmId = 211: duplicates controlPlanes\[0\] \(its VM id is derived from the last octet of the IP 192\.168\.1\.211\); Proxmox VM ids are unique across the Proxmox cluster; set vmId on one of them$/],
    ["duplicate VM ids derived from two networks' IPs", { networkCidr: "10.0.0.0/16", vip: "10.0.0.10", controlPlanes: [{ name: "a", ip: "10.0.0.211" }, { name: "b", ip: "10.0.1.211" }, { name: "c", ip: "10.0.0.213" }] }, /^controlPlanes\[1\]\.vmId = 211 \(not set: derived from the last octet of the IP 10\.0\.1\.211\): duplicates controlPlanes\[0\] \(its VM id is derived from the last octet of the IP 10\.0\.0\.211\)/],
    ["the default Kubernetes version on Talos 1.11", { talosVersion: "v1.11.6" }, /^kubernetesVersion = "v1\.36\.3" \(not set: the default, which is for Talos v1\.13\.9\): Talos 1\.11 supports Kubernetes 1\.29 to 1\.34; set kubernetesVersion to a v1\.29\.x to v1\.34\.x release/],
    ["a derived gateway outside a tiny network", { networkCidr: "192.168.1.210/31", vip: "192.168.1.211", controlPlanes: nodes(3) }, /^gateway = "192\.168\.1\.211" \(not set: the first host address of networkCidr\)/],
    ["a Terraform expression in the image factory URL", { imageFactoryUrl: 'https://factory.talos.dev/${file("/etc/hostname")}' }, /^imageFactoryUrl = "https:\/\/factory\.talos\.dev\/\$\{file\(\\"\/etc\/hostname\\"\)\}": contains "\$\{" or "%\{", which Terraform would evaluate as an expression/],
    ["a Terraform template directive in a datastore", { datastoreId: "local-%{if true}x%{endif}" }, /^datastoreId = "local-%\{if true\}x%\{endif\}": contains "\$\{" or "%\{"/],
    ["a Terraform expression in a node's Proxmox host", { controlPlanes: [{ name: "a", ip: "192.168.1.211", proxmoxNode: "${var.x}" }, ...nodes(3).slice(1)] }, /^controlPlanes\[0\]\.proxmoxNode = "\$\{var\.x\}": contains/],
    ["a VM id below 100", { controlPlanes: [{ name: "a", ip: "192.168.1.211", vmId: 99 }, ...nodes(3).slice(1)] }, /^controlPlanes\[0\]\.vmId = 99: Proxmox VM ids are integers from 100 to 999999999/],
    ["a VM id above 999999999", { controlPlanes: [{ name: "a", ip: "192.168.1.211", vmId: 1_000_000_000 }, ...nodes(3).slice(1)] }, /^controlPlanes\[0\]\.vmId = 1000000000: too large: Proxmox VM ids are integers from 100 to 999999999; pick an id of at most 999999999$/],
    // versions
    ["a Talos version without the v", { talosVersion: "1.13.9" }, /^talosVersion = "1\.13\.9": not a Talos version; write it as vMAJOR\.MINOR\.PATCH, e\.g\. v1\.13\.9 \(supported: v1\.11\.x, v1\.12\.x, v1\.13\.x, v1\.14\.x\)$/],
    ["a Talos version that is a word", { talosVersion: "latest" }, /^talosVersion = "latest": not a Talos version/],
    ["a Talos release this project does not render", { talosVersion: "v1.10.7" }, /^talosVersion = "v1\.10\.7": this project does not run nodes on that release; use one of v1\.11\.x, v1\.12\.x, v1\.13\.x, v1\.14\.x$/],
    ["a Talos release newer than this project knows", { talosVersion: "v1.15.0" }, /^talosVersion = "v1\.15\.0": this project does not run nodes on that release/],
    ["a v1.14 contract on provider 0.11.0", { talosVersion: "v1.14.7", kubernetesVersion: "v1.37.0", configContract: "v1.14" }, /^configContract = "v1\.14": siderolabs\/talos 0\.11\.0 generates machine configuration with Talos machinery v1\.13\.0, which knows contracts up to v1\.13 and would silently produce the v1\.13 layout; keep v1\.13 \(Talos 1\.14 nodes accept it\)/],
    ["a contract newer than the nodes", { talosVersion: "v1.12.11", kubernetesVersion: "v1.35.2", configContract: "v1.13" }, /^configContract = "v1\.13": is newer than the nodes' Talos v1\.12\.11: a node cannot read a newer contract; use v1\.12 or older$/],
    ["a malformed contract", { configContract: "1.13" }, /^configContract = "1\.13": not a contract; write it as vMAJOR\.MINOR, e\.g\. v1\.13$/],
    ["Kubernetes 1.37 on Talos 1.13 nodes", { kubernetesVersion: "v1.37.0" }, /^kubernetesVersion = "v1\.37\.0": Talos 1\.13 supports Kubernetes 1\.31 to 1\.36; pick a version in that range$/],
    ["a Kubernetes version too old for Talos 1.13", { kubernetesVersion: "v1.30.4" }, /^kubernetesVersion = "v1\.30\.4": Talos 1\.13 supports Kubernetes 1\.31 to 1\.36; pick a version in that range$/],
    ["a Kubernetes version too new for Talos 1.12", { talosVersion: "v1.12.11", kubernetesVersion: "v1.36.3" }, /^kubernetesVersion = "v1\.36\.3": Talos 1\.12 supports Kubernetes 1\.30 to 1\.35/],
    ["a malformed Kubernetes version", { kubernetesVersion: "1.36" }, /^kubernetesVersion = "1\.36": not a Kubernetes version/],
    // Talos's minimums
    ["one core", { cores: 1 }, /^controlPlanes\[0\]\.cores = 1: Talos needs at least 2 cores for a control plane; use a value from 2 to 512$/],
    ["1 GiB of memory", { memoryMib: 1024 }, /^controlPlanes\[0\]\.memoryMib = 1024: Talos needs at least 2048 MiB/],
    ["an 8 GiB disk", { diskSizeGib: 8 }, /^diskSizeGib = 8: Talos needs at least 10 GiB for a control plane/],
    ["fractional cores", { cores: 2.5 }, /^controlPlanes\[0\]\.cores = 2\.5: must be a whole number/],
    // Proxmox names and URLs
    ["a bridge name with a space", { bridge: "vmbr 0" }, /^bridge = "vmbr 0": not a valid Proxmox bridge name/],
    ["an unknown image import method", { imageImport: "scp" as never }, /^imageImport = "scp": must be api \(Proxmox VE 8\.4\+, no SSH\) or ssh/],
    ["an http image factory", { imageFactoryUrl: "http://factory.talos.dev" }, /^imageFactoryUrl = "http:\/\/factory\.talos\.dev": must be an https:\/\/ URL/],
  ];

  test(`holds at least 30 cases (has ${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)("refuses %s", (_, props, message) => {
    expect(specProblemsOf(props)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  test("reports every problem at once", () => {
    expect(specProblemsOf({ vip: "192.168.1.300", cores: 1, talosVersion: "v9.0.0", controlPlanes: nodes(2) })).toHaveLength(2 + 1 + 1 + 1);
  });
});

describe("a single control plane", () => {
  test("is accepted with allowSingleNode: true, with a warning that it is not highly available", () => {
    const spec = resolveClusterSpec({ allowSingleNode: true, controlPlanes: nodes(1) });
    expect(validateClusterSpec(spec)).toEqual([]);
    expect(clusterWarnings(warningSubjectOf(spec))).toEqual([expect.stringMatching(/^A single control plane is not highly available/)]);
  });
});

describe("refused HOMELAB_CONFIG files", () => {
  test.each([
    ["a misspelt field", "vm: { coers: 4 }", /vm\.coers: unknown field; did you mean cores\?/],
    ["an unknown top-level field", "talosversion: v1.13.9", /talosversion: unknown field; did you mean talosVersion\?/],
    ["a wrong type", "vm: { memoryMib: 4GB }", /vm\.memoryMib = "4GB": must be a whole number/],
    ["a list where a string belongs", "vip: [192.168.1.210]", /vip = \["192\.168\.1\.210"\]: must be a string/],
    ["an http Proxmox endpoint", 'proxmox: { endpoint: "http://192.168.1.10:8006" }', /proxmox\.endpoint = "http:\/\/192\.168\.1\.10:8006": the Proxmox API must be reached over https/],
    ["credentials in the endpoint", 'proxmox: { endpoint: "https://root@pam:secret@pve:8006" }', /proxmox\.endpoint = "https:\/\/root@pam:\*\*\*@pve:8006": must not embed credentials; remove them and export PROXMOX_VE_API_TOKEN/],
    ["an API token field", 'proxmox: { api_token: "x" }', /proxmox\.api_token = "\*\*\*": API tokens and passwords never go in the file/],
    ["a Terraform expression in the Proxmox endpoint", 'proxmox: { endpoint: "https://pve:8006/${file(\\"/etc/hostname\\")}" }', /proxmox\.endpoint = "https:\/\/pve:8006\/\$\{file\(.*\)\}": contains "\$\{" or "%\{", which Terraform would evaluate/],
    ["a hexadecimal VM id", "controlPlanes: [{ name: a, ip: 192.168.1.211, vmId: 0x100 }]", /controlPlanes\[0\]\.vmId = "0x100": YAML reads this as 256; write numbers in plain decimal \(256\)/],
    ["an exponent for memory", "vm: { memoryMib: 4e3 }", /vm\.memoryMib = "4e3": YAML reads this as 4000/],
    ["an unknown image import method in the file", "vm: { imageImport: scp }", /vm\.imageImport = "scp": must be one of api, ssh/],
    ["a VIP wait that is not a whole number", "vipReadyTimeoutSeconds: 10m", /vipReadyTimeoutSeconds = "10m": must be a whole number/],
    ["a VIP wait of zero", "vipReadyTimeoutSeconds: 0", /vipReadyTimeoutSeconds = 0: use a value from 1 to 3600/],
    ["an unknown field in a control plane", "controlPlanes: [{ name: a, ip: 192.168.1.211, vmid: 300 }]", /controlPlanes\[0\]\.vmid: unknown field; did you mean vmId\?/],
    ["a token in any value", 'controlPlanes: [{ name: "terraform@pve!cdktf=0123abcd-4567", ip: 192.168.1.211 }]', /controlPlanes\[0\]\.name = "\*\*\*": API tokens/],
  ])("refuses %s", (_, text, message) => {
    expect(configProblemsOf(text)).toMatch(message);
  });
});

describe("HOMELAB_CONFIG set but empty", () => {
  test("fails, rather than silently building the reference homelab", () => {
    expect(() => loadHomelabConfig("")).toThrow(/HOMELAB_CONFIG is set but empty; name a YAML or JSON file, or unset it/);
  });
});

describe("follow-on errors and derived values", () => {
  test("fails on a bad networkCidr once, without the gateway and DNS server derived from it", () => {
    // GIVEN a network that is no CIDR, and neither gateway nor DNS servers set
    // WHEN the props are checked
    // THEN only the network is reported
    expect(specProblemsOf({ networkCidr: "192.168.1.0/33" })).toEqual(['networkCidr = "192.168.1.0/33": not an IPv4 network; write it in CIDR notation, e.g. 192.168.1.0/24']);
  });

  test("fails on a gateway that is set, even when the network is bad too", () => {
    expect(specProblemsOf({ networkCidr: "192.168.1.0/33", gateway: "x" })).toEqual([
      'networkCidr = "192.168.1.0/33": not an IPv4 network; write it in CIDR notation, e.g. 192.168.1.0/24',
      'gateway = "x": not an IPv4 address; write four numbers 0-255 separated by dots, e.g. 192.168.1.211',
    ]);
  });

  test("fails on a node's own Proxmox host under the node, and on a host of proxmoxNodes once, under proxmoxNodes", () => {
    expect(specProblemsOf({ proxmoxNodes: ["pve1", "bad host"] })).toEqual([expect.stringMatching(/^proxmoxNodes\[1\] = "bad host": not a valid Proxmox node name/)]);
    expect(specProblemsOf({ proxmoxNode: "bad host" })).toEqual([expect.stringMatching(/^proxmoxNode = "bad host": not a valid Proxmox node name/)]);
  });

  test("fails on a bad datastore once, not again under each node that takes it", () => {
    expect(specProblemsOf({ datastoreId: "local lvm" })).toEqual([expect.stringMatching(/^datastoreId = "local lvm": not a valid Proxmox datastore name/)]);
  });

  test("fails on a Terraform expression in proxmoxNode once, not under each node placed on it", () => {
    expect(specProblemsOf({ proxmoxNode: "${var.x}" })).toEqual([expect.stringMatching(/^proxmoxNode = "\$\{var\.x\}": contains "\$\{"/), expect.stringMatching(/^proxmoxNode = "\$\{var\.x\}": not a valid Proxmox node name/)]);
  });

  test("suggests setting a VM id explicitly only when it was derived", () => {
    const given = specProblemsOf({ controlPlanes: [{ name: "a", ip: "192.168.1.211", vmId: 50 }, ...nodes(3).slice(1)] });
    expect(given).toEqual(["controlPlanes[0].vmId = 50: Proxmox VM ids are integers from 100 to 999999999 (Proxmox reserves those below 100); pick an id from 100 up"]);
  });
});

describe("numbers above their maximum", () => {
  test.each([
    ["a disk", { diskSizeGib: 70_000 }, "diskSizeGib = 70000: too large: the maximum is 65536 GiB; use a value from 10 to 65536"],
    ["a node's cores", { controlPlanes: [{ name: "a", ip: "192.168.1.211", cores: 513 }, ...nodes(3).slice(1)] }, "controlPlanes[0].cores = 513: too large: the maximum is 512 cores; use a value from 2 to 512"],
    ["the VIP wait", { vipReadyTimeoutSeconds: 3601 }, "vipReadyTimeoutSeconds = 3601: too large: the maximum is 3600; use a value from 1 to 3600"],
  ])("fails on %s saying it is too large and what the maximum is", (_, props, message) => {
    expect(specProblemsOf(props as ControlPlaneHaProps)).toEqual([message]);
  });
});

describe("how a problem is printed", () => {
  test("names fields in the text by the props' names, or by the names a reader gives them", () => {
    // GIVEN a problem whose message and origin name a field
    const problem = { field: "gateway", value: "10.0.0.0", origin: `not set: from ${fieldRef("networkCidr")}`, message: `must be inside ${fieldRef("networkCidr")}` };
    // THEN the props' names by default, the reader's through problemFormatter
    expect(formatProblem(problem)).toBe('gateway = "10.0.0.0" (not set: from networkCidr): must be inside networkCidr');
    expect(problemFormatter((field) => field.replace("networkCidr", "network.cidr").replace("gateway", "network.gateway"))(problem)).toBe(
      'network.gateway = "10.0.0.0" (not set: from network.cidr): must be inside network.cidr',
    );
  });

  test("masks the credentials of every URL it echoes, whatever the scheme", () => {
    expect(formatProblem({ field: "x", value: "ftp://u:hunter2@h/p", message: "see postgres://tf:hunter2@db:5432/state" })).toBe(
      'x = "ftp://u:***@h/p": see postgres://tf:***@db:5432/state',
    );
  });

  test.each([
    ["http://root:hunter2@pve:8006", "http://root:***@pve:8006"],
    ["https://root@pam:hunter2@pve:8006/api2", "https://root@pam:***@pve:8006/api2"],
    ["ssh://token123@host", "ssh://***@host"],
    ['endpoint: "http://a:b@c", next: "https://d:e@f"', 'endpoint: "http://a:***@c", next: "https://d:***@f"'],
    ["https://pve:8006/api2/json", "https://pve:8006/api2/json"],
    ["root@pam has no scheme", "root@pam has no scheme"],
  ])("masks %s as %s", (text, masked) => {
    expect(maskUrlCredentials(text)).toBe(masked);
  });

  test("fails on an http endpoint saying http is refused; on another scheme, that https is needed", () => {
    expect(validateProxmoxEndpoint("proxmox.endpoint", "http://pve:8006").map(formatProblem)).toEqual([
      'proxmox.endpoint = "http://pve:8006": the Proxmox API must be reached over https, not http (the API token goes with every request); write it as https://<host>:8006',
    ]);
    expect(validateProxmoxEndpoint("proxmox.endpoint", "pve:8006").map(formatProblem)).toEqual([
      'proxmox.endpoint = "pve:8006": the Proxmox API must be reached over https; write it as https://<host>:8006',
    ]);
  });

  test("keeps the value of a problem masked, not only its printed line", () => {
    const [problem] = validateClusterSpec(resolveClusterSpec({ imageFactoryUrl: "http://me:hunter2@factory.lan" }));
    expect(problem.value).toBe("http://me:***@factory.lan");
  });
});
