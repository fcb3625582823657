/**
 * The constructs and their props. The pure logic they are built on lives in
 * domain/; helpers that need cdktf but are not constructs, in ./private.
 */
export * from "./control-plane-ha";
export * from "./control-plane-node";
export * from "./cluster-health-check";
export * from "./proxmox-ha";
export * from "./talos-image";
export * from "./vip-ready-gate";
export * from "./worker-node";
export * from "./worker-pool";
export type { ControlPlaneHaProps, ControlPlaneNodeProps, WorkerNodeProps, ProxmoxConnectionProps, StateBackendProps } from "../domain/control-plane-ha-props";
