import { Annotations, Token } from "cdktf";
import { Construct } from "constructs";
import { ClusterKubeconfig } from "../.gen/providers/talos/cluster-kubeconfig";
import { DataTalosClientConfiguration } from "../.gen/providers/talos/data-talos-client-configuration";
import { DataTalosMachineConfiguration } from "../.gen/providers/talos/data-talos-machine-configuration";
import { MachineBootstrap } from "../.gen/providers/talos/machine-bootstrap";
import { MachineSecrets } from "../.gen/providers/talos/machine-secrets";
import { ClusterHealthCheck } from "./cluster-health-check";
import { generatorContract, patchFormLifecycle } from "./private/config-contract";
import { ClusterSpec, clusterHostsOf, proxmoxHostsOf, resolveClusterSpec } from "../domain/cluster-spec";
import { ControlPlaneHaProps } from "../domain/control-plane-ha-props";
import { ControlPlaneNode } from "./control-plane-node";
import { etcdQuorum, failuresTolerated } from "../domain/quorum";
import { kubeconfigWithNodeContexts, kubeconfigWithServer } from "../domain/kubeconfig-node-contexts";
import { FastFailoverPlan, certSansWithFastVip, fastFailoverOf } from "../domain/fast-failover";
import { ProxmoxHa } from "./proxmox-ha";
import { planProxmoxHa } from "../domain/proxmox-ha-plan";
import { KUBERNETES_API_PORT } from "../domain/reference-homelab";
import { renderClusterPatches } from "../domain/talos-patches";
import { renderUserPatches } from "../domain/talos-user-patches";
import { renderControlPlaneSettingPatches, terraformLiteral } from "../domain/talos-setting-patches";
import { TalosImage } from "./talos-image";
import { terraformAddress } from "./private/terraform-address";
import { carriesGuestAgent } from "../domain/image-factory";
import { formatProblem, validateClusterSpec } from "../domain/validation";
import { clusterWarnings, warningSubjectOf } from "../domain/warnings";
import { VipReadyGate } from "./vip-ready-gate";
import { TalosVmSettings } from "./private/talos-vm";
import { WorkerPool } from "./worker-pool";

/** How long the health check on later plans waits before it warns. */
const HEALTH_CHECK_TIMEOUT = "60s";
/** The extra kubeconfig context whose server is Talos's VIP, when clients use the fast VIP. */
const TALOS_VIP_CONTEXT = "talos-vip";

/**
 * A highly available Talos Linux control plane on Proxmox VE.
 *
 * Composes the Talos image on each Proxmox host, one VM per control plane,
 * the machine secrets and configuration, one apply per node, the bootstrap
 * of the first node only, the kubeconfig, a first-deploy wait until the
 * cluster answers through the VIP, and a health check on every later plan
 * that warns instead of blocking. The VIP is Talos's Layer 2 failover address:
 * one holder at a time, moved by an etcd election.
 *
 * Throws at construction, listing every problem, when the props would not
 * make a working cluster.
 */
export class ControlPlaneHa extends Construct {
  /** The resolved description (defaults applied) this construct built. */
  public readonly spec: ClusterSpec;
  public readonly image: TalosImage;
  /** The cluster's PKI; losing it means losing the cluster. */
  public readonly machineSecrets: MachineSecrets;
  public readonly machineConfiguration: DataTalosMachineConfiguration;
  /** Control planes by name, in the order given. */
  public readonly nodes: ReadonlyMap<string, ControlPlaneNode>;
  public readonly bootstrap: MachineBootstrap;
  /** The worker nodes (`Workers/<name>`), when there are any. */
  public readonly workers?: WorkerPool;
  /** Talos's health check on every plan and apply, reported as a warning. */
  public readonly health: ClusterHealthCheck;
  /** The first deploy's health wait; depend on it for "the cluster answers through the VIP". */
  public readonly vipReadyGate: VipReadyGate;
  public readonly clientConfiguration: DataTalosClientConfiguration;
  /** Admin credentials; the kubeconfig's server is the VIP. */
  public readonly kubeconfig: ClusterKubeconfig;
  /**
   * Terraform expression of the admin kubeconfig plus one context per control
   * plane (named after the node, server = its IP), for when the VIP is moving.
   */
  public readonly kubeconfigWithNodeContexts: string;
  /**
   * The admin kubeconfig clients use: Talos's as it is, or with the fast failover
   * a Terraform expression of it whose server is the fast VIP.
   */
  public readonly adminKubeconfig: string;
  /** The fast API failover, resolved; undefined when it is off. */
  public readonly fastFailover?: FastFailoverPlan;
  /** Proxmox HA resources and placement rules, when `haEnabled`. */
  public readonly proxmoxHa?: ProxmoxHa;
  /**
   * The machine-configuration contract the talos provider generates for: the
   * pinned `configContract`, or else the cluster's creation contract as the
   * machine secrets hold it (./private/config-contract.ts).
   */
  public readonly configContract: string;

  constructor(scope: Construct, id: string, props: ControlPlaneHaProps = {}) {
    super(scope, id);
    const spec = resolveClusterSpec(props);
    const problems = validateClusterSpec(spec, { isUnresolved: (value) => Token.isUnresolved(value) });
    if (problems.length > 0) {
      throw new Error(`ControlPlaneHa ${this.node.path}: invalid cluster description:\n  ${problems.map(formatProblem).join("\n  ")}`);
    }
    for (const warning of clusterWarnings(warningSubjectOf(spec))) {
      Annotations.of(this).addWarning(warning);
    }
    this.spec = spec;
    this.fastFailover = fastFailoverOf(spec);
    const nodeIps = spec.nodes.map((node) => node.ip);

    this.image = new TalosImage(this, "Image", {
      talosVersion: spec.talosVersion,
      systemExtensions: spec.systemExtensions,
      imageFactoryUrl: spec.imageFactoryUrl,
      proxmoxHosts: proxmoxHostsOf(spec),
      datastoreId: spec.imageDatastoreId,
      datastoreShared: spec.imageDatastoreShared,
      importMethod: spec.imageImport,
      clusterName: spec.clusterName,
    });

    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/resources/machine_secrets
    this.machineSecrets = new MachineSecrets(this, "Secrets", {
      talosVersion: spec.configContract,
      lifecycle: {
        // Losing the secrets means a new PKI: every node and client stops trusting the cluster.
        preventDestroy: true,
        // Their talos_version in the state is the cluster's creation contract, which the
        // machine configuration reads back (config-contract.ts): an OS upgrade must not change it.
        ignoreChanges: ["talos_version"],
      },
    });
    const clientConfiguration = this.machineSecrets.clientConfiguration;
    this.configContract = generatorContract(spec, this.machineSecrets);

    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/data-sources/machine_configuration
    this.machineConfiguration = new DataTalosMachineConfiguration(this, "MachineConfiguration", {
      clusterName: spec.clusterName,
      clusterEndpoint: spec.clusterEndpoint,
      machineType: "controlplane",
      machineSecrets: this.machineSecrets.machineSecrets,
      talosVersion: this.configContract,
      kubernetesVersion: spec.kubernetesVersion,
      ...patchFormLifecycle(spec, this.machineSecrets),
      configPatches: [
        // The user's patches first: every node's (talos.patches), then the control planes' (the node's own go into its
        // apply, before the stack's node patches). They may not set a field the stack sets (domain/talos-owned-paths.ts),
        // so the configuration is what global, role, node, then the stack's own patches would make.
        ...renderUserPatches([...spec.talosPatches, ...spec.controlPlanePatches]),
        ...renderClusterPatches({
          networkCidr: spec.networkCidr,
          vip: spec.vip,
          installerImage: this.image.installerImage,
          allowSchedulingOnControlPlanes: spec.allowSchedulingOnControlPlanes,
        }),
        // The typed talos.* settings; none when they are all at their defaults.
        ...renderControlPlaneSettingPatches({
          configContract: spec.configContract,
          metadata: { labels: spec.controlPlaneNodeLabels, taints: spec.controlPlaneNodeTaints, annotations: spec.controlPlaneNodeAnnotations },
          registryMirrors: spec.registryMirrors,
          cni: spec.cni,
          cniManifests: spec.cniManifests,
          kubeProxy: spec.kubeProxy,
          certSANs: certSansWithFastVip(spec.certSANs, this.fastFailover),
        }).map(terraformLiteral),
      ],
    });

    // Shared by the control planes' and the workers' VMs.
    const vmSettings: TalosVmSettings = {
      gateway: spec.gateway,
      dnsServers: spec.dnsServers,
      bridge: spec.bridge,
      vlanId: spec.vlanId,
      cpuType: spec.cpuType,
      guestAgent: carriesGuestAgent(spec.systemExtensions),
      imageImport: spec.imageImport,
      haManaged: spec.haEnabled,
    };

    const nodesScope = new Construct(this, "Nodes");
    const nodes = new Map<string, ControlPlaneNode>();
    for (const node of spec.nodes) {
      nodes.set(
        node.name,
        new ControlPlaneNode(nodesScope, node.name, {
          ...vmSettings,
          node,
          clusterName: spec.clusterName,
          configContract: spec.configContract,
          vip: spec.vip,
          imageFileId: this.image.fileIdOn(node.proxmoxHost),
          clientConfiguration,
          machineConfiguration: this.machineConfiguration.machineConfiguration,
          fastFailover: this.fastFailover,
        }),
      );
    }
    this.nodes = nodes;
    const [first] = spec.nodes;
    const firstNode = nodes.get(first.name)!;
    const applies = [...nodes.values()].map((node) => node.configApply);

    // Exactly once, against the first node after its configuration is applied;
    // the others join and sync etcd from it.
    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/resources/machine_bootstrap
    this.bootstrap = new MachineBootstrap(this, "Bootstrap", {
      clientConfiguration,
      nodeAttribute: first.ip,
      endpoint: first.ip,
      dependsOn: [firstNode.configApply],
      // Once done, never again: reordering or readdressing the nodes must not
      // bootstrap a second etcd cluster. (Every argument is listed rather than
      // "all", which cdktf's HCL output cannot express.)
      lifecycle: { ignoreChanges: ["node", "endpoint", "client_configuration", "timeouts"] },
    });

    // Workers join the bootstrapped cluster through the VIP (their cluster endpoint)
    // and then KubePrism. Only when there are any, so a cluster without workers
    // keeps its construct tree.
    if (spec.workers.length > 0) {
      this.workers = new WorkerPool(this, "Workers", {
        spec,
        machineSecrets: this.machineSecrets,
        image: this.image,
        vmSettings,
        dependsOn: [this.bootstrap],
      });
    }

    // Admin credentials, fetched from the first node once etcd is bootstrapped
    // (the provider retries for up to 10 minutes); their server is the VIP.
    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/resources/cluster_kubeconfig
    this.kubeconfig = new ClusterKubeconfig(this, "Kubeconfig", {
      clientConfiguration,
      nodeAttribute: first.ip,
      endpoint: first.ip,
      dependsOn: [this.bootstrap],
    });
    const kubernetesClient = this.kubeconfig.kubernetesClientConfiguration;

    // The first deploy's health wait: through the VIP, until the API is ready and
    // every control plane is a Ready node. It runs once, not on every plan, and
    // again when a control plane's VM is re-created or added (its id is unknown
    // then), so such an apply ends only once that node is back.
    this.vipReadyGate = new VipReadyGate(this, "VipReady", {
      host: spec.vip,
      port: KUBERNETES_API_PORT,
      timeoutSeconds: spec.vipReadyTimeoutSeconds,
      nodeNames: spec.nodes.map((node) => node.name),
      caCertificate: kubernetesClient.caCertificate,
      clientCertificate: kubernetesClient.clientCertificate,
      clientKey: kubernetesClient.clientKey,
      dependsOn: [this.bootstrap, ...applies, this.kubeconfig],
      rerunWhen: {
        bootstrap: this.bootstrap.id,
        ...Object.fromEntries([...nodes].map(([name, node]) => [`vm_${name}`, node.vm.id])),
      },
    });

    // Every later plan and apply: Talos's health check, as a warning within a minute.
    this.health = new ClusterHealthCheck(this, "Health", {
      clientConfiguration: `\${${terraformAddress(this.machineSecrets)}.client_configuration}`,
      controlPlaneNodes: nodeIps,
      workerNodes: spec.workers.map((node) => node.ip),
      timeout: HEALTH_CHECK_TIMEOUT,
      dependsOn: [terraformAddress(this.vipReadyGate.resource)],
    });

    // Talos API endpoints are the nodes themselves, never the VIP: talosctl must
    // still reach the nodes when etcd (and with it the VIP) is down. No default
    // `nodes`: with every control plane there, a bare `talosctl reboot` or
    // `upgrade` would act on all of them at once and lose quorum; without,
    // talosctl asks for `-n <node>`.
    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/data-sources/client_configuration
    this.clientConfiguration = new DataTalosClientConfiguration(this, "ClientConfiguration", {
      clusterName: spec.clusterName,
      clientConfiguration,
      endpoints: nodeIps,
    });

    // With the fast failover, clients use the fast VIP; Talos's VIP stays reachable as the `talos-vip` context.
    const kubeconfigRaw = `${terraformAddress(this.kubeconfig)}.kubeconfig_raw`;
    const fastServer = this.fastFailover ? `https://${this.fastFailover.vip}:${KUBERNETES_API_PORT}` : undefined;
    this.adminKubeconfig = fastServer ? kubeconfigWithServer(kubeconfigRaw, fastServer) : this.kubeconfig.kubeconfigRaw;
    const talosVipContext = this.fastFailover && !spec.nodes.some((node) => node.name === TALOS_VIP_CONTEXT) ? [{ name: TALOS_VIP_CONTEXT, ip: spec.vip }] : [];
    this.kubeconfigWithNodeContexts = kubeconfigWithNodeContexts(kubeconfigRaw, [...spec.nodes, ...talosVipContext], KUBERNETES_API_PORT, fastServer);

    // Proxmox's own HA for the VMs, and what keeps the control planes apart.
    if (spec.haEnabled) {
      this.proxmoxHa = new ProxmoxHa(this, "ProxmoxHa", {
        plan: planProxmoxHa({
          clusterName: spec.clusterName,
          controlPlanes: spec.nodes.map((node) => ({ name: node.name, vmId: node.vmId, host: node.proxmoxHost })),
          workers: spec.workers.map((node) => ({ name: node.name, vmId: node.vmId, host: node.proxmoxHost })),
          hosts: clusterHostsOf(spec),
          keepControlPlanesApart: spec.haKeepControlPlanesApart,
          strict: spec.haStrict,
          rules: spec.haRules,
        }),
        vms: new Map([...nodes, ...(this.workers?.nodes ?? [])].map(([name, node]) => [name, node.vm])),
      });
    }
  }

  /** Votes etcd needs; below this, writes and the VIP freeze. */
  public get etcdQuorum(): number {
    return etcdQuorum(this.spec.nodes.length);
  }

  /** Control planes that may fail while the cluster keeps quorum. */
  public get failuresTolerated(): number {
    return failuresTolerated(this.spec.nodes.length);
  }
}
