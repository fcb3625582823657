/**
 * Worker nodes (issue 8, part 2): their VMs, machine configuration, patches
 * and applies, the scheduling default, the health check, the validation
 * across control planes and workers, and the HOMELAB_CONFIG mapping.
 */
import { parseAllDocuments } from "yaml";
import { ControlPlaneHaProps, nodeMacAddress } from "../../domain";
import { fileFieldOf } from "../../config/homelab-config-file";
import { parseHomelabConfig } from "../../config/load-homelab-config";
import { TerraformJson, addressOf, blocksOf, synthHomelab, Block } from "../support/synth";
import { specProblemsOf } from "../support/spec-problems";

const WORKERS = [
  { name: "k8s-worker1", ip: "192.168.1.221" },
  { name: "k8s-worker2", ip: "192.168.1.222" },
];


const workerVms = (json: TerraformJson) =>
  blocksOf(json, "proxmox_virtual_environment_vm")
    .filter(([name]) => name.startsWith("ControlPlane_Workers_"))
    .map(([, vm]) => vm);

/** The one YAML document of the control planes' cluster patch. */
function controlPlanePatch(json: TerraformJson): Block {
  const configuration = json.data.talos_machine_configuration[addressOf(json, "talos_machine_configuration", "ControlPlane/MachineConfiguration", "data").split(".")[2]];
  const [patch] = configuration.config_patches as string[];
  return parseAllDocuments(patch)[0].toJS() as Block;
}


describe("a cluster with two workers", () => {
  // GIVEN the reference homelab plus two workers
  const { json } = synthHomelab({ cluster: { workers: WORKERS } });

  test("creates one VM per worker under ControlPlane/Workers/<name>/Vm, with the worker VM defaults", () => {
    // THEN
    expect(workerVms(json)).toHaveLength(2);
    for (const [index, worker] of WORKERS.entries()) {
      const address = addressOf(json, "proxmox_virtual_environment_vm", `ControlPlane/Workers/${worker.name}/Vm`);
      const vm = json.resource.proxmox_virtual_environment_vm[address.split(".")[1]];
      expect(vm).toMatchObject({
        name: worker.name,
        vm_id: 221 + index,
        node_name: "pve",
        tags: ["homelab", "talos", "worker"],
        description: "Talos worker of cluster homelab; managed by cdktf",
        cpu: { cores: 4, sockets: 1, type: "host" },
        memory: { dedicated: 8192, floating: 0 },
        disk: [expect.objectContaining({ interface: "scsi0", size: 64, import_from: expect.stringContaining("proxmox_download_file.") })],
        initialization: expect.objectContaining({ type: "nocloud", ip_config: [{ ipv4: { address: `${worker.ip}/24`, gateway: "192.168.1.1" } }] }),
      });
    }
  });

  test("builds the worker VMs like the control planes' (one shared definition)", () => {
    const controlPlaneVm = blocksOf(json, "proxmox_virtual_environment_vm").find(([name]) => name.startsWith("ControlPlane_Nodes_"))![1];
    const [controlPlaneDevice] = controlPlaneVm.network_device as Block[];
    for (const vm of workerVms(json)) {
      expect(vm).toMatchObject({ bios: "ovmf", machine: "q35", scsi_hardware: "virtio-scsi-pci", agent: { enabled: true, trim: true } });
      expect(vm.lifecycle).toEqual({ ignore_changes: ["disk[0].file_id", "disk[0].import_from"] });
      const [device] = vm.network_device as Block[];
      expect(Object.keys(device).sort()).toEqual(Object.keys(controlPlaneDevice).sort());
      expect(device).toMatchObject({ bridge: "vmbr0", model: "virtio", mac_address: nodeMacAddress("homelab", vm.name as string) });
    }
  });

  test("renders one worker machine configuration: machine_type worker, the VIP endpoint, the cluster's secrets and versions", () => {
    const [name, configuration] = blocksOf(json, "talos_machine_configuration", "data").find(([, block]) => block.machine_type === "worker")!;
    expect(name).toMatch(/^ControlPlane_Workers_MachineConfiguration_[0-9A-F]{8}$/);
    expect(configuration).toMatchObject({
      cluster_name: "homelab",
      cluster_endpoint: "https://192.168.1.210:6443",
      machine_secrets: expect.stringMatching(/^\$\{talos_machine_secrets\.ControlPlane_Secrets_\w+\.machine_secrets\}$/),
      talos_version: expect.stringMatching(/^\$\{talos_machine_secrets\.\w+\.talos_version\}$/),
      kubernetes_version: "v1.36.3",
    });
    const patch = parseAllDocuments((configuration.config_patches as string[])[0])[0].toJS() as Block;
    expect(patch).toEqual({
      machine: {
        kubelet: { nodeIP: { validSubnets: ["192.168.1.0/24", "!192.168.1.210/32"] } },
        install: { image: expect.stringMatching(/^factory\.talos\.dev\/nocloud-installer\/\$\{talos_image_factory_schematic\.\w+\.id\}:v1\.13\.9$/) },
      },
    });
  });

  test("applies the worker configuration to each worker after the bootstrap, redone when its VM is re-created", () => {
    const bootstrap = addressOf(json, "talos_machine_bootstrap", "ControlPlane/Bootstrap");
    const workerConfiguration = addressOf(json, "talos_machine_configuration", "ControlPlane/Workers/MachineConfiguration", "data");
    for (const worker of WORKERS) {
      const vm = addressOf(json, "proxmox_virtual_environment_vm", `ControlPlane/Workers/${worker.name}/Vm`);
      const apply = json.resource.talos_machine_configuration_apply[addressOf(json, "talos_machine_configuration_apply", `ControlPlane/Workers/${worker.name}/ConfigApply`).split(".")[1]];
      expect(apply).toMatchObject({
        node: worker.ip,
        endpoint: worker.ip,
        apply_mode: "staged_if_needing_reboot",
        machine_configuration_input: `\${${workerConfiguration}.machine_configuration}`,
        depends_on: [vm, bootstrap],
        lifecycle: { replace_triggered_by: [`${vm}.id`] },
      });
      // A static hostname and nothing else: no VIP on a worker.
      expect(apply.config_patches).toEqual([`apiVersion: v1alpha1\nkind: HostnameConfig\nauto: off\nhostname: ${worker.name}\n`]);
    }
  });

  test("disallows scheduling on the control planes by default", () => {
    expect(controlPlanePatch(json)).toHaveProperty(["cluster", "allowSchedulingOnControlPlanes"], false);
  });

  test("checks the workers' health too, through the control planes' Talos API", () => {
    const check = Object.values((json as unknown as { check: Record<string, { data: { talos_cluster_health: Record<string, Block> } }> }).check)[0];
    const [health] = Object.values(check.data.talos_cluster_health);
    expect(health).toMatchObject({
      control_plane_nodes: ["192.168.1.211", "192.168.1.212", "192.168.1.213"],
      worker_nodes: ["192.168.1.221", "192.168.1.222"],
      endpoints: ["192.168.1.211", "192.168.1.212", "192.168.1.213"],
    });
  });

  test("waits on the first deploy for the control planes only", () => {
    const [[, gate]] = blocksOf(json, "null_resource");
    const [provisioner] = gate.provisioner as { "local-exec": { environment: Record<string, string> } }[];
    expect(provisioner["local-exec"].environment.NODES).toBe("k8s-controller1,k8s-controller2,k8s-controller3");
  });

  test("outputs the worker addresses", () => {
    expect(json.output.worker_ips).toMatchObject({ value: ["192.168.1.221", "192.168.1.222"], sensitive: false });
  });

  test("keeps the etcd quorum of the control planes: workers hold no etcd member", () => {
    expect(json.output.etcd_quorum.value).toBe(2);
  });
});

describe("worker placement and overrides", () => {
  test("downloads the image to a host that carries only workers, and each worker boots from its host's copy", () => {
    // GIVEN control planes on pve1 and a worker on pve2
    const { json } = synthHomelab({ cluster: { proxmoxNode: "pve1", workers: [{ name: "w1", ip: "192.168.1.221", proxmoxNode: "pve2" }] } });

    // THEN
    const downloads = blocksOf(json, "proxmox_download_file");
    expect(downloads.map(([, download]) => download.node_name)).toEqual(["pve1", "pve2"]);
    const [worker] = workerVms(json);
    const [pve2] = downloads.find(([, download]) => download.node_name === "pve2")!;
    expect((worker.disk as Block[])[0].import_from).toBe(`\${proxmox_download_file.${pve2}.id}`);
  });

  test("takes a worker's own cores, memory and VM id over workerVm", () => {
    const { json } = synthHomelab({
      cluster: { workerCores: 6, workerMemoryMib: 16384, workerDiskSizeGib: 100, workers: [{ name: "w1", ip: "192.168.1.221", vmId: 5001, cores: 8 }, { name: "w2", ip: "192.168.1.222" }] },
    });
    const [w1, w2] = workerVms(json);
    expect(w1).toMatchObject({ vm_id: 5001, cpu: expect.objectContaining({ cores: 8 }), memory: { dedicated: 16384, floating: 0 } });
    expect(w2).toMatchObject({ vm_id: 222, cpu: expect.objectContaining({ cores: 6 }) });
    expect((w2.disk as Block[])[0].size).toBe(100);
  });

  test("renders the Talos 1.11 hostname form for workers", () => {
    const { json } = synthHomelab({ cluster: { talosVersion: "v1.11.6", kubernetesVersion: "v1.34.1", workers: WORKERS } });
    const apply = json.resource.talos_machine_configuration_apply[addressOf(json, "talos_machine_configuration_apply", "ControlPlane/Workers/k8s-worker1/ConfigApply").split(".")[1]];
    expect(apply.config_patches).toEqual(["machine:\n  network:\n    hostname: k8s-worker1\n"]);
  });
});

describe("allowSchedulingOnControlPlanes", () => {
  test("defaults to true without workers, so the reference homelab can run workloads", () => {
    expect(controlPlanePatch(synthHomelab().json)).toHaveProperty(["cluster", "allowSchedulingOnControlPlanes"], true);
  });

  test("follows an explicit value either way", () => {
    expect(controlPlanePatch(synthHomelab({ cluster: { workers: WORKERS, allowSchedulingOnControlPlanes: true } }).json)).toHaveProperty(
      ["cluster", "allowSchedulingOnControlPlanes"],
      true,
    );
    expect(controlPlanePatch(synthHomelab({ cluster: { allowSchedulingOnControlPlanes: false } }).json)).toHaveProperty(["cluster", "allowSchedulingOnControlPlanes"], false);
  });
});

describe("the reference homelab (no workers)", () => {
  const { json } = synthHomelab();

  test("has no worker resources and no worker_nodes in its health check", () => {
    expect(workerVms(json)).toEqual([]);
    expect(blocksOf(json, "talos_machine_configuration", "data")).toHaveLength(1);
    expect(JSON.stringify(json)).not.toContain("worker_nodes");
    expect(json.output.worker_ips.value).toEqual([]);
  });

  test("changes its control-plane resources only by allowSchedulingOnControlPlanes: true in the cluster patch", () => {
    const patch = controlPlanePatch(json);
    expect(patch).toEqual({
      cluster: { allowSchedulingOnControlPlanes: true, etcd: { advertisedSubnets: ["192.168.1.0/24", "!192.168.1.210/32"] } },
      machine: { kubelet: { nodeIP: { validSubnets: ["192.168.1.0/24", "!192.168.1.210/32"] } }, install: { image: expect.any(String) } },
    });
  });
});

describe("validation across control planes and workers", () => {
  const cases: [string, ControlPlaneHaProps, RegExp][] = [
    ["a worker with a control plane's name", { workers: [{ name: "k8s-controller2", ip: "192.168.1.221" }] }, /^workers\[0\]\.name = "k8s-controller2": duplicates controlPlanes\[1\]; node names must be unique/],
    ["two workers with one name", { workers: [WORKERS[0], { name: "k8s-worker1", ip: "192.168.1.222" }] }, /^workers\[1\]\.name = "k8s-worker1": duplicates workers\[0\]/],
    ["a worker on a control plane's address", { workers: [{ name: "w1", ip: "192.168.1.211", vmId: 500 }] }, /^workers\[0\]\.ip = "192\.168\.1\.211": duplicates controlPlanes\[0\]; each worker needs its own address$/],
    ["two workers on one address", { workers: [WORKERS[0], { name: "w2", ip: "192.168.1.221", vmId: 500 }] }, /^workers\[1\]\.ip = "192\.168\.1\.221": duplicates workers\[0\]/],
    ["a worker VM id derived like a control plane's", { networkCidr: "192.168.0.0/16", vip: "192.168.1.210", workers: [{ name: "w1", ip: "192.168.2.211" }] }, /^workers\[0\]\.vmId = 211 \(not set: derived from the last octet of the IP 192\.168\.2\.211\): duplicates controlPlanes\[0\] \(its VM id is derived from the last octet of the IP 192\.168\.1\.211\)/],
    ["a worker given a control plane's VM id", { workers: [{ name: "w1", ip: "192.168.1.221", vmId: 213 }] }, /^workers\[0\]\.vmId = 213: duplicates controlPlanes\[2\]/],
    ["a worker on the VIP", { workers: [{ name: "w1", ip: "192.168.1.210" }] }, /^workers\[0\]\.ip = "192\.168\.1\.210": is the VIP's address/],
    ["a worker on the gateway", { workers: [{ name: "w1", ip: "192.168.1.1" }] }, /^workers\[0\]\.ip = "192\.168\.1\.1": is the gateway's address/],
    ["a worker outside the network", { workers: [{ name: "w1", ip: "10.0.0.5" }] }, /^workers\[0\]\.ip = "10\.0\.0\.5": must be inside networkCidr 192\.168\.1\.0\/24/],
    ["a worker on the network address", { workers: [{ name: "w1", ip: "192.168.1.0", vmId: 500 }] }, /^workers\[0\]\.ip = "192\.168\.1\.0": is the network address/],
    ["a worker on the broadcast address", { workers: [{ name: "w1", ip: "192.168.1.255" }] }, /^workers\[0\]\.ip = "192\.168\.1\.255": is the broadcast address/],
    ["a worker name that is not a DNS-1123 label", { workers: [{ name: "Worker_1", ip: "192.168.1.221" }] }, /^workers\[0\]\.name = "Worker_1": must be a DNS-1123 label/],
    ["a worker without a core", { workers: [{ name: "w1", ip: "192.168.1.221", cores: 0 }] }, /^workers\[0\]\.cores = 0: Talos needs at least 1 core for a worker/],
    ["a worker with 512 MiB", { workerMemoryMib: 512, workers: [WORKERS[0]] }, /^workers\[0\]\.memoryMib = 512: Talos needs at least 1024 MiB for a worker/],
    ["a 9 GiB worker disk", { workerDiskSizeGib: 9 }, /^workerDiskSizeGib = 9: Talos needs at least 10 GiB for a worker/],
    ["an invalid worker host", { workers: [{ name: "w1", ip: "192.168.1.221", proxmoxNode: "pve 2" }] }, /^workers\[0\]\.proxmoxNode = "pve 2": not a valid Proxmox node name/],
    ["a Terraform expression in a worker", { workers: [{ name: "w1", ip: "192.168.1.221", proxmoxNode: "${var.x}" }] }, /^workers\[0\]\.proxmoxNode = "\$\{var\.x\}": contains/],
  ];

  test.each(cases)("refuses %s", (_, props, message) => {
    expect(specProblemsOf(props)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  test("accepts Talos's worker minimums (1 core, 1024 MiB, 10 GiB), below the control planes'", () => {
    expect(specProblemsOf({ workerCores: 1, workerMemoryMib: 1024, workerDiskSizeGib: 10, workers: WORKERS })).toEqual([]);
  });

  test("does not count workers toward etcd: three control planes and two workers are fine", () => {
    expect(specProblemsOf({ workers: WORKERS })).toEqual([]);
  });
});

describe("HOMELAB_CONFIG workers and workerVm", () => {
  test("maps workers, workerVm and allowSchedulingOnControlPlanes onto the props", () => {
    const props = parseHomelabConfig(
      "homelab.yaml",
      `
workers:
  - { name: k8s-worker1, ip: 192.168.1.221 }
  - { name: k8s-worker2, ip: 192.168.1.222, vmId: 5002, proxmoxNode: pve2, cores: 8, memoryMib: 16384 }
workerVm: { cores: 4, memoryMib: 8192, diskGib: 64 }
allowSchedulingOnControlPlanes: true
`,
    );
    expect(props.cluster).toEqual({
      workers: [
        { name: "k8s-worker1", ip: "192.168.1.221" },
        { name: "k8s-worker2", ip: "192.168.1.222", vmId: 5002, proxmoxNode: "pve2", cores: 8, memoryMib: 16384 },
      ],
      workerCores: 4,
      workerMemoryMib: 8192,
      workerDiskSizeGib: 64,
      allowSchedulingOnControlPlanes: true,
    });
  });

  test("names workerVm.cores for a worker that sets no cores, and the worker when it does", () => {
    const file = { workers: [{ name: "a", ip: "192.168.1.221", cores: 0 }, { name: "b", ip: "192.168.1.222" }] };
    expect(fileFieldOf("workers[1].cores", file)).toBe("workerVm.cores");
    expect(fileFieldOf("workers[1].memoryMib", file)).toBe("workerVm.memoryMib");
    expect(fileFieldOf("workers[0].cores", file)).toBe("workers[0].cores");
    expect(fileFieldOf("workers[1].proxmoxNode", file)).toBe("proxmox.node");
    expect(fileFieldOf("workerDiskSizeGib", file)).toBe("workerVm.diskGib");
    expect(fileFieldOf("controlPlanes[0].cores", {})).toBe("vm.cores");
  });

  test("reports a worker default below Talos's minimum once, under workerVm", () => {
    expect(() =>
      parseHomelabConfig("homelab.yaml", "workerVm: { memoryMib: 512 }\nworkers:\n  - { name: a, ip: 192.168.1.221 }\n  - { name: b, ip: 192.168.1.222 }\n"),
    ).toThrow(/\n {2}workerVm\.memoryMib = 512: Talos needs at least 1024 MiB for a worker; use a value from 1024 to 4194304$/);
  });

  test("refuses an unknown field in a worker", () => {
    expect(() => parseHomelabConfig("homelab.yaml", "workers: [{ name: a, ip: 192.168.1.221, memory: 4096 }]")).toThrow(/workers\[0\]\.memory: unknown field/);
  });
});
