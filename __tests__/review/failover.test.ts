/**
 * What the review says about failover, day-two operations and upgrades that
 * Terraform would do in one parallel apply (issue "Deploy-ready", C and F).
 */
import { ControlPlaneHaProps } from "../../domain";
import { configurationWarnings, haFacts } from "../../review/ha-facts";
import { staleElectionKeyRisk } from "../../domain/warnings";
import { renderReview } from "../../review/render-review";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { warningsOf } from "../support/review-sections";
import { synthHomelab } from "../support/synth";

const synth = (cluster?: ControlPlaneHaProps) => synthHomelab({ cluster }).json as TerraformJson;
const reference = synth();


describe("a Kubernetes version change through Terraform", () => {
  const head = synth({ kubernetesVersion: "v1.36.4" });
  const base = synth({ kubernetesVersion: "v1.35.2" });
  const review = renderReview({ head, base: { json: base, label: "main" } });

  test("is the first warning, in plain words, with the safe order", () => {
    const [first] = warningsOf(review);
    expect(first).toMatch(/^- Kubernetes v1\.35\.2 → v1\.36\.4 through Terraform: the configuration of all 3 control planes is applied live and at the same time, so every API server restarts at once/);
    expect(first).toContain("the update of kube-proxy, CoreDNS and flannel");
    expect(first).toContain("Run `talosctl -n <a control plane> upgrade-k8s --to 1.36.4` first, then merge this change");
  });

  test("is not raised when the version stays", () => {
    expect(renderReview({ head: reference, base: { json: reference, label: "main" } })).not.toContain("through Terraform: the configuration");
  });
});

describe("failover facts", () => {
  const review = renderReview({ head: reference });

  test("say a graceful move takes under a second and a crash 40 to 60 s, with the way through", () => {
    expect(review).toContain("resigns from the etcd election first; the next node takes the VIP in under a second");
    expect(review).toContain("**40 to 60 s later** (about 62 to 64 s when the holder was also the etcd leader");
    expect(review).toContain("`kubectl --context <node>` (the `kubeconfig_node_contexts` output)");
  });

  test("say in-cluster clients use KubePrism, not the VIP", () => {
    expect(review).toContain("They do not use the VIP: KubePrism on 127.0.0.1:7445");
  });

  test("say losing quorum releases the VIP, not merely freezes it", () => {
    expect(review).toContain("so **the VIP is released**: the endpoint goes away until quorum is back");
    expect(review).not.toContain("the VIP cannot move");
  });

  test("say talosctl has no default nodes", () => {
    expect(review).toContain("The talosconfig has no default nodes");
  });

  test("name the health check that warns on every plan", () => {
    expect(review).toMatch(/Checks run on every plan and apply and report a failure as a warning, never an error: `ControlPlane_Health_[0-9A-F]{8}`\./);
  });
});

describe("configuration warnings", () => {
  test("warn when talosctl's default nodes are several control planes", () => {
    const json = JSON.parse(JSON.stringify(reference));
    const [clientConfiguration] = Object.values(json.data.talos_client_configuration) as Record<string, unknown>[];
    clientConfiguration.nodes = ["192.168.1.211", "192.168.1.212", "192.168.1.213"];
    const model = stackModel(json);
    expect(configurationWarnings(model, haFacts(model))).toContainEqual(
      expect.stringMatching(/^talosctl's default nodes are 192\.168\.1\.211, 192\.168\.1\.212, 192\.168\.1\.213: a bare `talosctl reboot`/),
    );
  });

  test.each([
    ["v1.13.7", true],
    ["v1.13.8", false],
    ["v1.12.10", true],
    ["v1.12.11", false],
    ["v1.11.6", true],
    ["v1.14.0", false],
  ])("Talos %s: stale VIP election key risk %s", (version, risky) => {
    expect(staleElectionKeyRisk(version) !== undefined).toBe(risky);
  });

  test("warn about the stale election key for a Talos release before the fix", () => {
    const review = renderReview({ head: synth({ talosVersion: "v1.13.7" }) });
    expect(warningsOf(review)).toContainEqual(expect.stringMatching(/^- Talos v1\.13\.7 predates the fix of a stale VIP election key/));
  });
});
