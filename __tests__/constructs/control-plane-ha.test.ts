import { TerraformStack, Testing } from "cdktf";
import { VirtualEnvironmentVm } from "../../.gen/providers/proxmox/virtual-environment-vm";
import { DownloadFile } from "../../.gen/providers/proxmox/download-file";
import { MachineBootstrap } from "../../.gen/providers/talos/machine-bootstrap";
import { DataTalosClientConfiguration } from "../../.gen/providers/talos/data-talos-client-configuration";
import { DataTalosMachineConfiguration } from "../../.gen/providers/talos/data-talos-machine-configuration";
import { ImageFactorySchematic } from "../../.gen/providers/talos/image-factory-schematic";
import { ControlPlaneHa } from "../../constructs";
import { nodeMacAddress } from "../../domain";
import { addressOf, blocksOf, synthHomelab } from "../support/synth";
import "../support/cdktf-matchers";

const REFERENCE_NODES = [
  { name: "k8s-controller1", ip: "192.168.1.211", vmId: 211 },
  { name: "k8s-controller2", ip: "192.168.1.212", vmId: 212 },
  { name: "k8s-controller3", ip: "192.168.1.213", vmId: 213 },
];

describe("ControlPlaneHa, reference homelab", () => {
  const { text, json } = synthHomelab();

  test("creates three VMs with the reference names, ids and addresses", () => {
    expect(blocksOf(json, "proxmox_virtual_environment_vm")).toHaveLength(3);
    for (const node of REFERENCE_NODES) {
      expect(text).toHaveResourceWithProperties(VirtualEnvironmentVm, {
        name: node.name,
        vm_id: node.vmId,
        node_name: "pve",
        initialization: expect.objectContaining({
          ip_config: [
            { ipv4: { address: `${node.ip}/24`, gateway: "192.168.1.1" } },
          ],
          dns: { servers: ["192.168.1.1"] },
        }),
      });
    }
  });

  test("sets the VMs up as Talos recommends for Proxmox", () => {
    expect(text).toHaveResourceWithProperties(VirtualEnvironmentVm, {
      bios: "ovmf",
      machine: "q35",
      efi_disk: expect.objectContaining({
        datastore_id: "local-lvm",
        type: "4m",
      }),
      cpu: expect.objectContaining({ type: "host", cores: 2 }),
      memory: { dedicated: 4096, floating: 0 }, // no ballooning
      agent: expect.objectContaining({ enabled: true }),
      operating_system: { type: "l26" },
      disk: [
        expect.objectContaining({
          interface: "scsi0",
          size: 32,
          import_from: expect.stringContaining(
            "proxmox_download_file."
          ),
        }),
      ],
      stop_on_destroy: true,
    });
  });

  test("gives every VM a virtio NIC on vmbr0 with the MAC derived from the node, all 11 keys present", () => {
    for (const [, vm] of blocksOf(json, "proxmox_virtual_environment_vm")) {
      const devices = vm.network_device as Record<string, unknown>[];
      expect(devices).toHaveLength(1);
      expect(Object.keys(devices[0]).sort()).toEqual([
        "bridge",
        "disconnected",
        "enabled",
        "firewall",
        "mac_address",
        "model",
        "mtu",
        "queues",
        "rate_limit",
        "trunks",
        "vlan_id",
      ]);
      expect(devices[0]).toMatchObject({
        bridge: "vmbr0",
        model: "virtio",
        mac_address: nodeMacAddress("homelab", vm.name as string),
      });
    }
  });

  test("downloads the nocloud image once per Proxmox host, built from a schematic with the guest agent", () => {
    expect(
      blocksOf(json, "proxmox_download_file")
    ).toHaveLength(1);
    expect(text).toHaveResourceWithProperties(DownloadFile, {
      node_name: "pve",
      content_type: "import",
      datastore_id: "local",
      url: expect.stringMatching(
        /^https:\/\/factory\.talos\.dev\/image\/\$\{talos_image_factory_schematic\.[^}]+\.id\}\/v1\.13\.9\/nocloud-amd64\.qcow2$/
      ),
    });
    expect(text).toHaveResourceWithProperties(ImageFactorySchematic, {
      schematic:
        "customization:\n  systemExtensions:\n    officialExtensions:\n      - siderolabs/qemu-guest-agent\n",
    });
  });

  test("bootstraps exactly once, against the first node, after that node's configuration is applied", () => {
    const bootstraps = blocksOf(json, "talos_machine_bootstrap");
    expect(bootstraps).toHaveLength(1);
    const firstApply = addressOf(
      json,
      "talos_machine_configuration_apply",
      "ControlPlane/Nodes/k8s-controller1/ConfigApply"
    );
    expect(text).toHaveResourceWithProperties(MachineBootstrap, {
      node: "192.168.1.211",
      endpoint: "192.168.1.211",
      depends_on: [firstApply],
    });
  });

  test("applies the machine configuration once per node, to that node, after its VM exists", () => {
    const applies = blocksOf(json, "talos_machine_configuration_apply");
    expect(applies).toHaveLength(3);
    for (const node of REFERENCE_NODES) {
      const apply = applies.find(([, block]) => block.node === node.ip)?.[1];
      expect(apply).toMatchObject({
        endpoint: node.ip,
        depends_on: [
          addressOf(
            json,
            "proxmox_virtual_environment_vm",
            `ControlPlane/Nodes/${node.name}/Vm`
          ),
        ],
        machine_configuration_input: expect.stringContaining(
          "data.talos_machine_configuration."
        ),
      });
      const patches = (apply!.config_patches as string[]).join("\n---\n");
      expect(patches).toContain(`hostname: ${node.name}`);
      expect(patches).toContain("kind: Layer2VIPConfig\nname: 192.168.1.210");
    }
  });

  test("renders one controlplane configuration with the VIP endpoint and pinned versions", () => {
    expect(text).toHaveDataSourceWithProperties(DataTalosMachineConfiguration, {
      cluster_name: "homelab",
      cluster_endpoint: "https://192.168.1.210:6443",
      machine_type: "controlplane",
      talos_version: expect.stringMatching(
        /^\$\{talos_machine_secrets\.\w+\.talos_version\}$/
      ),
      kubernetes_version: "v1.36.3",
    });
  });

  test("points talosctl at the node IPs, never the VIP, with no default nodes", () => {
    const ips = REFERENCE_NODES.map((node) => node.ip);
    expect(text).toHaveDataSourceWithProperties(DataTalosClientConfiguration, {
      endpoints: ips,
    });
    // With every control plane as a default node, a bare `talosctl reboot` would
    // reboot them all at once; without, talosctl asks for -n.
    const [[, clientConfiguration]] = blocksOf(
      json,
      "talos_client_configuration",
      "data"
    );
    expect(clientConfiguration).not.toHaveProperty("nodes");
    expect(JSON.stringify(json.data.talos_client_configuration)).not.toContain(
      "192.168.1.210"
    );
  });

  test("on the first deploy, records the credentials only once the cluster answers through the VIP", () => {
    const bootstrap = addressOf(
      json,
      "talos_machine_bootstrap",
      "ControlPlane/Bootstrap"
    );
    const kubeconfig = addressOf(
      json,
      "talos_cluster_kubeconfig",
      "ControlPlane/Kubeconfig"
    );
    const gate = addressOf(json, "null_resource", "ControlPlane/VipReady/Wait");
    const [[, kubeconfigBlock]] = blocksOf(json, "talos_cluster_kubeconfig");
    expect(kubeconfigBlock.depends_on).toEqual([bootstrap]);
    const [[, gateBlock]] = blocksOf(json, "null_resource");
    expect(gateBlock.depends_on).toEqual(
      expect.arrayContaining([bootstrap, kubeconfig])
    );
    expect(gateBlock).toMatchObject({
      // A resource: it runs when created and when these change, never on a later plan.
      triggers: {
        vip: "192.168.1.210",
        port: "6443",
        bootstrap: `\${${bootstrap}.id}`,
      },
      provisioner: [
        {
          "local-exec": {
            interpreter: ["node", "-e"],
            environment: {
              HOST: "192.168.1.210",
              PORT: "6443",
              TIMEOUT_SECONDS: "600",
              NODES: "k8s-controller1,k8s-controller2,k8s-controller3",
              CA: `\${${kubeconfig}.kubernetes_client_configuration.ca_certificate}`,
            },
          },
        },
      ],
    });
    for (const output of ["kubeconfig", "kubeconfig_node_contexts"]) {
      expect(json.output[output]).toMatchObject({
        sensitive: true,
        depends_on: [gate],
      });
    }
  });

  test("has no health data source that every later plan would wait on", () => {
    expect(json.data.talos_cluster_health).toBeUndefined();
  });

  test("checks Talos's cluster health on every plan as a check block, which warns within a minute", () => {
    const gate = addressOf(json, "null_resource", "ControlPlane/VipReady/Wait");
    const checks = Object.entries(
      (
        json as unknown as {
          check: Record<
            string,
            {
              data: Record<string, Record<string, Record<string, unknown>>>;
              assert: unknown[];
            }
          >;
        }
      ).check
    );
    expect(checks).toHaveLength(1);
    const [[name, check]] = checks;
    expect(name).toMatch(/^ControlPlane_Health_[0-9A-F]{8}$/);
    const ips = REFERENCE_NODES.map((node) => node.ip);
    expect(check.data.talos_cluster_health[name]).toEqual({
      client_configuration: expect.stringMatching(
        /^\$\{talos_machine_secrets\.ControlPlane_Secrets_\w+\.client_configuration\}$/
      ),
      control_plane_nodes: ips,
      endpoints: ips,
      timeouts: { read: "60s" },
      // On the first deploy, read only once the cluster answers: no spurious warning.
      depends_on: [gate],
    });
    expect(check.assert).toEqual([
      {
        condition: `\${data.talos_cluster_health.${name}.id != ""}`,
        error_message: expect.stringContaining(
          "192.168.1.211, 192.168.1.212, 192.168.1.213"
        ),
      },
    ]);
  });

  test("outputs secret-derived values as sensitive and the rest in plain text", () => {
    expect(json.output.kubeconfig).toMatchObject({
      sensitive: true,
      value: expect.stringContaining("kubeconfig_raw"),
    });
    expect(json.output.talosconfig).toMatchObject({
      sensitive: true,
      value: expect.stringContaining("talos_config"),
    });
    expect(json.output.cluster_endpoint).toMatchObject({
      sensitive: false,
      value: "https://192.168.1.210:6443",
    });
    expect(json.output.vip.value).toBe("192.168.1.210");
    expect(json.output.node_ips.value).toEqual(
      REFERENCE_NODES.map((node) => node.ip)
    );
    expect(json.output.etcd_quorum.value).toBe(2);
    expect(json.output.etcd_failures_tolerated.value).toBe(1);
    expect(json.output.schematic_id.value).toMatch(
      /^\$\{talos_image_factory_schematic\..+\.id\}$/
    );
  });

  test("pins every provider exactly and keeps the state path relative", () => {
    expect(json.terraform).toMatchObject({
      required_providers: {
        proxmox: { source: "bpg/proxmox", version: "0.111.1" },
        talos: { source: "siderolabs/talos", version: "0.11.0" },
        null: { source: "hashicorp/null", version: "3.2.4" },
      },
      backend: { local: { path: "../../../terraform.homelab.tfstate" } },
    });
    expect(text).not.toContain(process.cwd());
  });

  test("synthesizes no credentials: the Proxmox provider block carries neither token nor password", () => {
    expect(json.provider.proxmox).toEqual([{}]);
    expect(text).not.toMatch(/api_token|password|PVEAPIToken/);
  });
});

describe("ControlPlaneHa placement", () => {
  test("downloads the image once to each Proxmox host that runs a VM, and each VM boots from its own host's copy", () => {
    const { json } = synthHomelab({
      cluster: {
        controlPlanes: [
          { name: "cp1", ip: "192.168.1.211", proxmoxNode: "pve1" },
          { name: "cp2", ip: "192.168.1.212", proxmoxNode: "pve2" },
          { name: "cp3", ip: "192.168.1.213", proxmoxNode: "pve2" },
        ],
      },
    });
    const downloads = blocksOf(
      json,
      "proxmox_download_file"
    );
    expect(downloads.map(([, block]) => block.node_name).sort()).toEqual([
      "pve1",
      "pve2",
    ]);
    for (const [, vm] of blocksOf(json, "proxmox_virtual_environment_vm")) {
      const [download] = downloads.find(
        ([, block]) => block.node_name === vm.node_name
      )!;
      expect((vm.disk as { import_from: string }[])[0].import_from).toBe(
        `\${proxmox_download_file.${download}.id}`
      );
    }
  });

  test("renders the legacy machine.network VIP form for Talos 1.11", () => {
    const { json } = synthHomelab({
      cluster: { talosVersion: "v1.11.6", kubernetesVersion: "v1.34.1" },
    });
    const [, apply] = blocksOf(json, "talos_machine_configuration_apply")[0];
    const patches = (apply.config_patches as string[]).join("\n");
    expect(patches).toContain("vip:\n          ip: 192.168.1.210");
    expect(patches).not.toContain("Layer2VIPConfig");
  });
});

describe("ControlPlaneHa validation", () => {
  test("fails at construction with every problem listed", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    let message = "";
    try {
      new ControlPlaneHa(stack, "ControlPlane", {
        vip: "192.168.1.300",
        controlPlanes: [
          { name: "cp1", ip: "192.168.1.211" },
          { name: "cp2", ip: "192.168.1.211" },
        ],
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^ControlPlaneHa test\/ControlPlane: invalid cluster description:/
    );
    expect(message).toMatch(/vip = "192\.168\.1\.300": not an IPv4 address/);
    expect(message).toMatch(
      /controlPlanes = 2: an even count adds cost but no tolerance/
    );
    expect(message).toMatch(
      /controlPlanes\[1\]\.ip = "192\.168\.1\.211": duplicates controlPlanes\[0\]/
    );
  });
});

describe("ControlPlaneHa construct tree", () => {
  test("keeps construct ids (and so Terraform addresses) stable", () => {
    const { stack } = synthHomelab();
    expect(Testing.renderConstructTree(stack)).toMatchInlineSnapshot(`
      "homelab (HomelabStack)
      ├── backend (LocalBackend)
      ├── proxmox (ProxmoxProvider)
      ├── talos (TalosProvider)
      ├── null (NullProvider)
      ├── ControlPlane (ControlPlaneHa)
          ├── Image (TalosImage)
              ├── Schematic (ImageFactorySchematic)
              └── Download-pve (DownloadFile)
          ├── Secrets (MachineSecrets)
          ├── MachineConfiguration (DataTalosMachineConfiguration)
          ├── Nodes (Construct)
              ├── k8s-controller1 (ControlPlaneNode)
                  ├── Vm (VirtualEnvironmentVm)
                  └── ConfigApply (MachineConfigurationApply)
              ├── k8s-controller2 (ControlPlaneNode)
                  ├── Vm (VirtualEnvironmentVm)
                  └── ConfigApply (MachineConfigurationApply)
              └── k8s-controller3 (ControlPlaneNode)
                  ├── Vm (VirtualEnvironmentVm)
                  └── ConfigApply (MachineConfigurationApply)
          ├── Bootstrap (MachineBootstrap)
          ├── Kubeconfig (ClusterKubeconfig)
          ├── VipReady (VipReadyGate)
              └── Wait (Resource)
          ├── Health (ClusterHealthCheck)
          └── ClientConfiguration (DataTalosClientConfiguration)
      ├── kubeconfig (TerraformOutput)
      ├── kubeconfig_node_contexts (TerraformOutput)
      ├── talosconfig (TerraformOutput)
      ├── cluster_endpoint (TerraformOutput)
      ├── vip (TerraformOutput)
      ├── node_ips (TerraformOutput)
      ├── worker_ips (TerraformOutput)
      ├── etcd_quorum (TerraformOutput)
      ├── etcd_failures_tolerated (TerraformOutput)
      ├── schematic_id (TerraformOutput)
      ├── cluster_name (TerraformOutput)
      ├── talos_version (TerraformOutput)
      ├── config_contract (TerraformOutput)
      ├── kubernetes_version (TerraformOutput)
      ├── nodes (TerraformOutput)
      ├── installer_image_base (TerraformOutput)
      └── proxmox_hosts (TerraformOutput)
      "
    `);
  });
});
