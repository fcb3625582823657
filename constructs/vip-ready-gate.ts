import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { blockSafeText } from "./hcl-compat";
import { WAIT_FOR_TLS_SCRIPT, waitForTlsEnvironment } from "./wait-for-tls";

export interface VipReadyGateProps {
  readonly vip: string;
  readonly port: number;
  readonly timeoutSeconds: number;
  /** What must exist before waiting makes sense (bootstrap, health check). */
  readonly dependsOn: ITerraformDependable[];
  /** Extra values whose change should re-run the wait, e.g. the bootstrap's id. */
  readonly rerunWhen?: Record<string, string>;
}

/**
 * Waits, with a bounded timeout, until https://<vip>:<port> completes a TLS
 * handshake, so whatever depends on it (the kubeconfig) is only produced
 * once clients can actually reach the cluster through the VIP.
 */
export class VipReadyGate extends Construct {
  public readonly resource: NullResource;

  constructor(scope: Construct, id: string, props: VipReadyGateProps) {
    super(scope, id);
    // @see https://registry.terraform.io/providers/hashicorp/null/latest/docs/resources/resource
    this.resource = new NullResource(this, "Wait", {
      triggers: { vip: props.vip, port: String(props.port), ...props.rerunWhen },
      dependsOn: props.dependsOn,
      provisioners: [
        {
          type: "local-exec",
          interpreter: ["node", "-e"],
          command: blockSafeText(this, WAIT_FOR_TLS_SCRIPT),
          environment: waitForTlsEnvironment(props.vip, props.port, props.timeoutSeconds),
        },
      ],
    });
  }
}
