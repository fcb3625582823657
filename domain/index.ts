/**
 * The pure core: what a cluster is (fields, props, spec and defaults), the
 * rules it must satisfy, and what follows from it (quorum, addresses,
 * placement, versions, Talos patches, the image, Proxmox HA, the first
 * deploy's wait script, the stack's output contract). Nothing here imports
 * cdktf, constructs or the generated bindings (a test enforces it), so
 * config/, review/ and ops/ load it without the CDK.
 */
export * from "./cluster-fields";
export * from "./cluster-spec";
export * from "./control-plane-ha-props";
export * from "./image-factory";
export * from "./ipv4";
export * from "./kubeconfig-node-contexts";
export * from "./mac-address";
export * from "./placement";
export * from "./proxmox-ha-plan";
export * from "./proxmox-type-names";
export * from "./quorum";
export * from "./reference-homelab";
export * from "./state-backend";
export * from "./talos-patches";
export * from "./talos-user-patches";
export * from "./talos-owned-paths";
export * from "./talos-versions";
export * from "./known-releases";
export * from "./talos-extensions";
export * from "./qemu-cpu-models";
export * from "./validation";
export * from "./wait-for-api";
export * from "./stack-outputs";
export * from "./warnings";
export * from "./limits";
export * from "./cluster-set";
export * from "./stack-state";
