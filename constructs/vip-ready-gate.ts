import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { blockSafeText } from "./private/hcl-compat";
import { WAIT_FOR_API_SCRIPT, WaitForApiTarget, waitForApiEnvironment } from "../domain/wait-for-api";

export interface VipReadyGateProps extends WaitForApiTarget {
  /** What must exist before waiting makes sense (the bootstrap, the admin credentials). */
  readonly dependsOn: ITerraformDependable[];
  /** Extra values whose change should re-run the wait, e.g. the bootstrap's id. */
  readonly rerunWhen?: Record<string, string>;
}

/**
 * The first deploy's health wait: until https://<vip>:<port> answers
 * `/readyz` and every control plane is a Ready node, with a bounded timeout.
 * A resource, not a data source, so it runs when created (and when the VIP
 * or the bootstrap changes, or a control plane's VM is re-created), never on
 * a later plan: a node that is down on
 * day two must not make Terraform wait (the stack's health check warns).
 */
export class VipReadyGate extends Construct {
  public readonly resource: NullResource;

  constructor(scope: Construct, id: string, props: VipReadyGateProps) {
    super(scope, id);
    // @see https://registry.terraform.io/providers/hashicorp/null/3.2.4/docs/resources/resource
    this.resource = new NullResource(this, "Wait", {
      triggers: { vip: props.host, port: String(props.port), ...props.rerunWhen },
      dependsOn: props.dependsOn,
      provisioners: [
        {
          type: "local-exec",
          interpreter: ["node", "-e"],
          command: blockSafeText(this, WAIT_FOR_API_SCRIPT),
          // Holds the admin key as a reference: Terraform hides this provisioner's output.
          environment: waitForApiEnvironment(props),
        },
      ],
    });
  }
}
