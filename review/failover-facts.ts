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

/**
 * The opt-in fast API failover (issue 21): keepalived (VRRPv3, advert 0.5 s,
 * a /readyz check every second, fall 2) on every control plane. Figures
 * measured with Debian's keepalived 2.2.7 in network namespaces, a TLS probe
 * every 100 ms, 5 trials each (docs/failover.md keeps the table CI measures).
 */
export const FAST_FAILOVER_FACTS: readonly FailoverFact[] = [
  {
    event: "External clients with the stack's kubeconfig (kubectl, CI, Terraform)",
    effect: "They use the fast VIP, held by keepalived; Talos's VIP still works as the fallback (the `talos-vip` context), with its own timings above.",
  },
  {
    event: "The fast VIP's holder crashes or loses power",
    effect: "Another control plane takes the fast VIP when three adverts are missed: clients see **about 1.5 to 1.8 s** without an answer (advert 0.5 s), not Talos's 40 to 64 s.",
  },
  { event: "The fast VIP's holder stops gracefully (reboot, upgrade)", effect: "keepalived hands the address over as it stops: clients see about 0.3 to 0.4 s." },
  {
    event: "The fast VIP holder's API server is not ready (its `/readyz` fails, as when its etcd has no quorum)",
    effect: "It gives the fast VIP up after two failed checks (1 to 2 s); a ready control plane takes it, and clients see about 0.3 to 0.4 s.",
  },
  {
    event: "etcd quorum is lost (every `/readyz` fails)",
    effect: "No node holds the fast VIP (gone within about 2 s), so no client talks to an API server without quorum; it is back about 3 s after they are ready.",
  },
];
