/**
 * What happens to the VIP and the API when a control plane fails, read from
 * siderolabs/talos v1.13.9 (internal/app/machined/pkg/controllers/network/operator/vip.go,
 * etcd's concurrency session: a 60 s lease, kept alive every 20 s) and from
 * where Talos points in-cluster clients (KubePrism). One list, for the review
 * and, through the sample report in docs/review-and-ci.md, the docs.
 */
export interface FailoverFact {
  readonly event: string;
  readonly effect: string;
}

export const FAILOVER_FACTS: readonly FailoverFact[] = [
  {
    event: "The VIP holder reboots or shuts down gracefully (upgrade, `talosctl reboot`)",
    effect: "It removes the VIP and resigns from the etcd election first; the next node takes the VIP in under a second.",
  },
  {
    event: "The VIP holder crashes or loses power",
    effect:
      "Nothing resigns: the VIP moves when the holder's etcd lease expires, **40 to 60 s later** (about 62 to 64 s when the holder was also the etcd leader, as the new leader restarts lease expiry), so that two nodes never claim it at once. Meanwhile `kubectl --context <node>` (the `kubeconfig_node_contexts` output) reaches any surviving API server directly.",
  },
  {
    event: "In-cluster clients (kubelets, kube-proxy, flannel, controller-manager, scheduler)",
    effect: "They do not use the VIP: KubePrism on 127.0.0.1:7445 on every node balances over every API server, so they carry on through a VIP move.",
  },
  {
    event: "External clients (kubectl, CI, Terraform, `talosctl kubeconfig`)",
    effect: "They use the VIP: requests in flight to a dead holder fail, and new ones wait for the VIP to move.",
  },
  { event: "Any control plane goes down", effect: "Pods keep running on their nodes; only external clients notice, and only if it held the VIP." },
];
