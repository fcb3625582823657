/**
 * Props of {@link ControlPlaneHa}: types derived from the one definition of
 * the fields in `cluster-fields.ts`, where each field's meaning, default and
 * place in the HOMELAB_CONFIG file are written (and from which the field
 * table in docs/configuration.md is generated). Every field is optional: the defaults are the
 * reference homelab.
 */
import { Static } from "@sinclair/typebox";
import { ControlPlaneHaPropsSchema, ControlPlaneNodeSchema, DataDiskSchema, ProxmoxConnectionPropsSchema, StateBackendPropsSchema, WorkerNodeSchema } from "./cluster-fields";

/** One control-plane VM: `name` and `ip`, and optional overrides of the cluster-wide VM settings. */
export type ControlPlaneNodeProps = Static<typeof ControlPlaneNodeSchema>;

/** One worker VM: `name` and `ip`, and optional overrides of the worker VM settings (`workerVm`). */
export type WorkerNodeProps = Static<typeof WorkerNodeSchema>;

/** One data disk: `sizeGib`, and `datastoreId` (default: the VM's datastore). */
export type DataDiskProps = Static<typeof DataDiskSchema>;

/** The cluster: see `CLUSTER_FIELDS` in `cluster-fields.ts` for each field's meaning and default. */
export type ControlPlaneHaProps = Static<typeof ControlPlaneHaPropsSchema>;

/** How Terraform reaches the Proxmox API (the stack's provider settings); credentials never go here. */
export type ProxmoxConnectionProps = Static<typeof ProxmoxConnectionPropsSchema>;

/** Where Terraform keeps the stack's state (`backend` in the file); no connection string, ever. */
export type StateBackendProps = Static<typeof StateBackendPropsSchema>;

/**
 * A whole deployable cluster: what HOMELAB_CONFIG describes and the stack
 * (stacks/homelab-stack.ts) is built from.
 */
export interface HomelabStackProps {
  /** @default - the reference homelab */
  readonly cluster?: ControlPlaneHaProps;
  /** @default - endpoint from the environment, TLS verified */
  readonly proxmox?: ProxmoxConnectionProps;
  /** @default - local state in the project folder (`terraform.<stack id>.tfstate`) */
  readonly backend?: StateBackendProps;
}
