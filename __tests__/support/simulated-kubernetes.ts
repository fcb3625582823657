/**
 * The simulated cluster as the Kubernetes API answers it: through the VIP
 * holder, while etcd has quorum (otherwise every call fails as a client of
 * the VIP sees it). `kubernetesApiState` gives the same answers to the local
 * HTTPS API of the CLI tests (./ops-api.ts), which serves them in the API's
 * shapes (NodeList, /version, /readyz).
 */
import type { KubeNode, KubernetesClient } from "../../ops/contracts";
import type { ApiState } from "./ops-api";
import type { Method, SimulatedCluster } from "./simulated-cluster";

function kubeNodes(sim: SimulatedCluster): KubeNode[] {
  return sim.nodes().map((n) => ({ name: n.spec.name, ready: sim.kubeReady(n.spec.name), kubeletVersion: n.kubeletVersion, unschedulable: n.cordoned }));
}

/** The KubernetesClient the orchestration gets: each call counted (and maybe failed, see `call-fails`). */
export function simulatedKubernetes(sim: SimulatedCluster): KubernetesClient {
  const api = (method: Method): void => {
    sim.recordCall(method);
    const problem = sim.apiProblem();
    if (problem) throw new Error(`${sim.facts.clusterEndpoint}: ${problem}`);
  };
  return {
    async readyz() {
      api("readyz");
      return { ok: true, detail: "200 ok" };
    },
    async nodes() {
      api("nodes");
      return kubeNodes(sim);
    },
    async serverVersion() {
      api("serverVersion");
      return sim.kubernetesVersion;
    },
  };
}

/** What the local HTTPS API answers for the cluster now. */
export function kubernetesApiState(sim: SimulatedCluster): ApiState {
  return { readyzStatus: sim.apiProblem() === undefined ? 200 : 500, gitVersion: sim.kubernetesVersion, nodes: kubeNodes(sim) };
}
