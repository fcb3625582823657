import { Construct } from "constructs";
import { TerraformElement } from "cdktf";

export interface ClusterHealthCheckProps {
  /** Terraform expression of the Talos client configuration, e.g. `${talos_machine_secrets.x.client_configuration}`. */
  readonly clientConfiguration: string;
  /** Control-plane IPs, checked and used as Talos API endpoints. */
  readonly controlPlaneNodes: readonly string[];
  /** Worker IPs, checked too (none: the check covers the control planes only). */
  readonly workerNodes?: readonly string[];
  /** How long the check may wait for a healthy cluster, e.g. `60s`. */
  readonly timeout: string;
  /** Terraform addresses read after, e.g. the first deploy's health wait. */
  readonly dependsOn: readonly string[];
}

/**
 * Talos's cluster health check as a Terraform `check` block: run on every
 * plan and apply, it reports an unhealthy cluster (Talos's own diagnostics
 * name the node) as a **warning** after at most `timeout`, never as an error.
 * A plain `talos_cluster_health` data source would instead block every plan
 * for 10 minutes and then fail whenever one control plane is down: exactly
 * when the operator needs Terraform to repair it.
 *
 * Its scoped data source depends on the first deploy's health wait, so on the
 * first deploy it is read only once the cluster answers.
 *
 * cdktf 0.21 has no check construct, so this element writes the block
 * itself (Terraform's JSON syntax). Its HCL is rendered by the HCL
 * synthesis (`app/hcl-format.ts`), as cdktf's HCL renderer drops unknown blocks.
 * @see https://developer.hashicorp.com/terraform/language/checks
 * @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/data-sources/cluster_health
 */
export class ClusterHealthCheck extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: ClusterHealthCheckProps,
  ) {
    super(scope, id);
  }

  /** `data.talos_cluster_health.<name>` inside the check block. */
  public get dataSourceAddress(): string {
    return `data.talos_cluster_health.${this.friendlyUniqueId}`;
  }

  public override toTerraform(): Record<string, unknown> {
    const nodes = [...this.props.controlPlaneNodes];
    const workers = [...(this.props.workerNodes ?? [])];
    return {
      check: {
        [this.friendlyUniqueId]: {
          data: {
            talos_cluster_health: {
              [this.friendlyUniqueId]: {
                client_configuration: this.props.clientConfiguration,
                control_plane_nodes: nodes,
                ...(workers.length > 0 ? { worker_nodes: workers } : {}),
                // Talos API endpoints: the control planes, as for talosctl.
                endpoints: nodes,
                timeouts: { read: this.props.timeout },
                depends_on: [...this.props.dependsOn],
              },
            },
          },
          assert: [
            {
              // Reached only when the read succeeded, i.e. the cluster is healthy; a
              // failed read is the signal, turned into a warning by Terraform.
              condition: `\${${this.dataSourceAddress}.id != ""}`,
              // "README, Safety" is in every deployed stack's JSON: the README keeps that section (a test checks it).
              error_message: `Talos reports the control plane (${nodes.join(", ")})${workers.length > 0 ? ` or the workers (${workers.join(", ")})` : ""} unhealthy; the warnings above name the node. Repair it, one node at a time (README, Safety).`,
            },
          ],
        },
      },
    };
  }

  public override toHclTerraform(): Record<string, unknown> {
    return this.toTerraform();
  }
}
