/** What the review says when the stack runs the opt-in fast API failover (issue 21). */
import { renderReview } from "../../review/render-review";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { synthHomelab } from "../support/synth";

const IMAGE = `registry.home.arpa/keepalived@sha256:${"ab".repeat(32)}`;
const fast = synthHomelab({ cluster: { fastFailoverEnabled: true, fastFailoverVip: "192.168.1.209", fastFailoverImage: IMAGE } }).json as TerraformJson;
const reference = synthHomelab({}).json as TerraformJson;

describe("the review with the fast API failover", () => {
  const review = renderReview({ head: fast });

  test("reads the fast VIP from the fast_vip output", () => {
    expect(stackModel(fast).fastVip).toBe("192.168.1.209");
    expect(stackModel(reference).fastVip).toBeUndefined();
  });

  test("says which address clients use and that Talos's VIP stays the fallback", () => {
    expect(review).toContain("Fast VIP `192.168.1.209`: keepalived (VRRP) on every control plane, held only by a node whose API server is ready; the kubeconfig's server.");
    expect(review).toContain("Cluster endpoint `https://192.168.1.210:6443`: what the nodes use; kubectl and CI use the fast VIP.");
    expect(review).toContain("Talos's VIP still works as the fallback (the `talos-vip` context)");
  });

  test("says what each address survives: a crash in about 1.5 to 1.8 s against Talos's 40 to 60 s, fenced by /readyz", () => {
    expect(review).toContain("clients see **about 1.5 to 1.8 s** without an answer");
    expect(review).toContain("**40 to 60 s later**");
    expect(review).toContain("It gives the fast VIP up after two failed checks");
    expect(review).toContain("No node holds the fast VIP (gone within about 2 s)");
  });

  test("says nothing of it without the option", () => {
    expect(renderReview({ head: reference })).not.toMatch(/fast VIP/i);
  });
});
