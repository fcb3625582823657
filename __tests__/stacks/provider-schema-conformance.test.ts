import { Testing } from "cdktf";
import { HomelabStack, HomelabStackProps } from "../../stacks/homelab-stack";
import { checkAgainstProviderSchemas, loadTrimmedProviderSchemas } from "../support/provider-schema-conformance";

/** The synthesized Terraform JSON of a homelab stack, as cdktf writes it to cdk.tf.json. */
function synthesize(props?: HomelabStackProps): Record<string, any> {
  const app = Testing.app();
  const stack = new HomelabStack(app, "homelab", props);
  return JSON.parse(Testing.synth(stack));
}

const schemas = loadTrimmedProviderSchemas();
const reference = synthesize();

const VM_TYPE = "proxmox_virtual_environment_vm";
const VM_NAME = "ControlPlane_Nodes_k8s-controller1_Vm_D19368D7";
const VM_ADDRESS = `${VM_TYPE}.${VM_NAME}`;

/** A deep copy of the reference JSON, changed by `mutate`, then checked. */
function problemsAfter(mutate: (json: Record<string, any>, vm: Record<string, any>) => void): string[] {
  const json = structuredClone(reference);
  mutate(json, json.resource[VM_TYPE][VM_NAME]);
  return checkAgainstProviderSchemas(json, schemas);
}

describe("provider schema conformance of the synthesized stack", () => {
  test("the trimmed schemas of all three providers are loaded", () => {
    const addresses = schemas.flatMap((document) => Object.keys((document as { provider_schemas: object }).provider_schemas));
    expect(addresses.sort()).toEqual(["registry.terraform.io/bpg/proxmox", "registry.terraform.io/hashicorp/null", "registry.terraform.io/siderolabs/talos"]);
  });

  test("the reference homelab conforms", () => {
    // GIVEN the reference homelab (VM names in the negative tests below come from it)
    expect(Object.keys(reference.resource[VM_TYPE])).toContain(VM_NAME);
    // THEN
    expect(checkAgainstProviderSchemas(reference, schemas)).toEqual([]);
  });

  test("five control planes over two Proxmox hosts, with their own sizes, conform", () => {
    // GIVEN
    const json = synthesize({
      proxmox: { endpoint: "https://192.168.1.10:8006", insecure: true },
      cluster: {
        clusterName: "lab",
        cpuType: "x86-64-v2-AES",
        controlPlanes: [
          { name: "cp1", ip: "192.168.1.221", proxmoxNode: "pve1" },
          { name: "cp2", ip: "192.168.1.222", proxmoxNode: "pve2", cores: 4, memoryMib: 8192 },
          { name: "cp3", ip: "192.168.1.223", proxmoxNode: "pve1", vmId: 1223 },
          { name: "cp4", ip: "192.168.1.224", proxmoxNode: "pve2" },
          { name: "cp5", ip: "192.168.1.225", proxmoxNode: "pve1" },
        ],
      },
    });
    // THEN
    expect(Object.keys(json.resource[VM_TYPE])).toHaveLength(5);
    expect(json.provider.proxmox).toEqual([{ endpoint: "https://192.168.1.10:8006", insecure: true }]);
    expect(checkAgainstProviderSchemas(json, schemas)).toEqual([]);
  });

  test("a single control plane with custom network and extensions conforms", () => {
    // GIVEN
    const json = synthesize({
      cluster: {
        allowSingleNode: true,
        networkCidr: "10.0.0.0/24",
        vip: "10.0.0.10",
        gateway: "10.0.0.254",
        dnsServers: ["1.1.1.1", "9.9.9.9"],
        systemExtensions: ["siderolabs/qemu-guest-agent", "siderolabs/iscsi-tools"],
        controlPlanes: [{ name: "solo", ip: "10.0.0.111" }],
      },
    });
    // THEN
    expect(Object.keys(json.resource[VM_TYPE])).toHaveLength(1);
    expect(checkAgainstProviderSchemas(json, schemas)).toEqual([]);
  });

  test("accepts the conversions Terraform makes and expressions anywhere", () => {
    // WHEN
    const problems = problemsAfter((_json, vm) => {
      vm.vm_id = "211"; // numeric string -> number
      vm.on_boot = "true"; // string -> bool
      vm.description = 42; // number -> string
      vm.cpu.cores = "${var.cores}";
      vm.tags = "${local.tags}";
      vm.kvm_arguments = null; // optional
    });
    // THEN
    expect(problems).toEqual([]);
  });
});

describe("the conformance checker has teeth", () => {
  test("reports an unknown attribute on the VM", () => {
    const problems = problemsAfter((_json, vm) => {
      vm.memory_mib = 4096;
    });
    expect(problems).toEqual([
      expect.stringMatching(/^proxmox_virtual_environment_vm\.ControlPlane_Nodes_k8s-controller1_Vm_D19368D7: memory_mib: unsupported/),
    ]);
  });

  test("reports an unknown key in a nested block", () => {
    const problems = problemsAfter((_json, vm) => {
      vm.initialization.ip_config[0].ipv4.netmask = "255.255.255.0";
    });
    expect(problems).toEqual([`${VM_ADDRESS}: initialization.ip_config[0].ipv4.netmask: unsupported argument or block: the schema has no "netmask" here`]);
  });

  test("reports a missing required attribute", () => {
    const problems = problemsAfter((_json, vm) => {
      delete vm.node_name;
    });
    expect(problems).toEqual([`${VM_ADDRESS}: node_name: required argument is missing (or null)`]);
  });

  test("reports a missing required attribute of a nested object on a data source", () => {
    const problems = problemsAfter((json) => {
      const [name] = Object.keys(json.data.talos_client_configuration);
      json.data.talos_client_configuration[name].client_configuration = { ca_certificate: "ca", client_certificate: "cert" };
    });
    expect(problems).toEqual([expect.stringMatching(/^data\.talos_client_configuration\.ControlPlane_ClientConfiguration_\w+: client_configuration\.client_key: required/)]);
  });

  test("checks the data sources scoped to a check block too", () => {
    const problems = problemsAfter((json) => {
      const check = Object.values((json as unknown as { check: Record<string, { data: { talos_cluster_health: Record<string, Record<string, unknown>> } }> }).check)[0];
      const [health] = Object.values(check.data.talos_cluster_health);
      health.timeouts = { read: "60s", create: "1m" };
    });
    expect(problems).toEqual([expect.stringMatching(/^check\.ControlPlane_Health_\w+\.data\.talos_cluster_health\.ControlPlane_Health_\w+: timeouts\.create: /)]);
  });

  test("reports a computed-only attribute that is set", () => {
    const problems = problemsAfter((_json, vm) => {
      vm.ipv4_addresses = [["192.168.1.211"]];
    });
    expect(problems).toEqual([`${VM_ADDRESS}: ipv4_addresses: computed-only attribute cannot be set in configuration`]);
  });

  test("reports a wrong type: a non-numeric string for a number", () => {
    const problems = problemsAfter((_json, vm) => {
      vm.vm_id = "two hundred";
    });
    expect(problems).toEqual([`${VM_ADDRESS}: vm_id: expected a number, got string "two hundred"`]);
  });

  test("reports a wrong type: an object for a list of strings", () => {
    const problems = problemsAfter((_json, vm) => {
      vm.tags = { talos: true };
    });
    expect(problems).toEqual([`${VM_ADDRESS}: tags: expected a list (JSON array), got an object`]);
  });

  test("reports a network_device element missing one of its 11 keys", () => {
    const problems = problemsAfter((_json, vm) => {
      expect(Object.keys(vm.network_device[0])).toHaveLength(11);
      delete vm.network_device[0].mtu;
    });
    expect(problems).toEqual([expect.stringMatching(/^proxmox_virtual_environment_vm\.\S+_Vm_\w+: network_device\[0\]: missing key "mtu"/)]);
  });

  test("reports a network_device element with a key the object type lacks", () => {
    const problems = problemsAfter((_json, vm) => {
      vm.network_device[0].vlan = 10;
    });
    expect(problems).toEqual([`${VM_ADDRESS}: network_device[0].vlan: unexpected key: the object type has no "vlan"`]);
  });

  test("reports two efi_disk blocks where max_items is 1", () => {
    const problems = problemsAfter((_json, vm) => {
      vm.efi_disk = [vm.efi_disk, vm.efi_disk];
    });
    expect(problems).toEqual([`${VM_ADDRESS}: efi_disk: too many blocks: 2, at most 1 allowed`]);
  });

  test("reports an unknown resource type", () => {
    const problems = problemsAfter((json, vm) => {
      json.resource.proxmox_virtual_environment_qemu = { Copy: vm };
    });
    expect(problems).toEqual([expect.stringMatching(/^proxmox_virtual_environment_qemu\.Copy: unknown resource type/)]);
  });

  test("reports an unknown provider argument", () => {
    const problems = problemsAfter((json) => {
      json.provider.proxmox[0].api_url = "https://pve:8006/api2/json";
    });
    expect(problems).toEqual([expect.stringMatching(/^provider\.proxmox: api_url: unsupported argument/)]);
  });

  test("reports an unknown provider", () => {
    const problems = problemsAfter((json) => {
      json.provider.libvirt = [{}];
    });
    expect(problems).toEqual([expect.stringMatching(/^provider\.libvirt: unknown provider "libvirt"/)]);
  });
});
