import { resolveClusterSpec } from "../../domain/cluster-spec";
import { ControlPlaneHaProps } from "../../domain/control-plane-ha-props";
import {
  KEEPALIVED_HOST_DIR,
  KEEPALIVED_MOUNT_DIR,
  certSansWithFastVip,
  fastFailoverOf,
  keepalivedConfigOf,
  renderFastFailoverNodePatch,
  renderKeepalivedStartScript,
} from "../../domain/fast-failover";
import { KEEPALIVED_INTERFACE_PLACEHOLDER, fastFailoverVirtualRouterId } from "../../domain/keepalived-config";
import { TALOS_RELEASES } from "../../domain/talos-versions";
import { parseTalosPatch, talosSchemaProblems } from "../support/talos-config-schema";
import { specProblemsOf } from "../support/spec-problems";

const IMAGE = `registry.home.arpa/keepalived:2.2.7@sha256:${"0123456789abcdef".repeat(4)}`;
const ENABLED: ControlPlaneHaProps = { fastFailoverEnabled: true, fastFailoverVip: "192.168.1.209", fastFailoverImage: IMAGE };

function planOf(props: ControlPlaneHaProps = ENABLED) {
  const plan = fastFailoverOf(resolveClusterSpec(props));
  if (!plan) throw new Error("expected a fast failover plan");
  return plan;
}


interface MachineFile {
  readonly path: string;
  readonly op: string;
  readonly permissions: number;
  readonly content: string;
}

describe("the fast failover's plan", () => {
  test("off by default: no plan", () => {
    expect(fastFailoverOf(resolveClusterSpec({}))).toBeUndefined();
    expect(fastFailoverOf(resolveClusterSpec({ ...ENABLED, fastFailoverEnabled: false }))).toBeUndefined();
  });

  test("on: the VIP, the prefix of network.cidr, the image, the derived router id, the control planes in order with their MACs", () => {
    const spec = resolveClusterSpec(ENABLED);
    expect(planOf()).toEqual({
      clusterName: "homelab",
      vip: "192.168.1.209",
      prefixLength: 24,
      image: IMAGE,
      advertIntervalMs: 500,
      virtualRouterId: fastFailoverVirtualRouterId("homelab"),
      nodes: spec.nodes.map((node, index) => ({ name: node.name, ip: node.ip, macAddress: node.macAddress, priority: [150, 140, 130][index] })),
    });
    expect(planOf({ ...ENABLED, fastFailoverVirtualRouterId: 51 }).virtualRouterId).toBe(51);
  });

  test("the fast VIP joins the certSANs once, after the user's", () => {
    expect(certSansWithFastVip(["k8s.home.arpa"], planOf())).toEqual(["k8s.home.arpa", "192.168.1.209"]);
    expect(certSansWithFastVip(["192.168.1.209", "k8s.home.arpa"], planOf())).toEqual(["192.168.1.209", "k8s.home.arpa"]);
    expect(certSansWithFastVip(["k8s.home.arpa"], undefined)).toEqual(["k8s.home.arpa"]);
  });
});

describe.each(TALOS_RELEASES.map((release) => [release.minor, release] as const))("Talos %s contract: the node patch", (_minor, release) => {
  test.each(["k8s-controller1", "k8s-controller2", "k8s-controller3"])("%s: one document, valid for the contract's schema", (nodeName) => {
    const patch = parseTalosPatch(renderFastFailoverNodePatch(planOf(), nodeName));
    expect(talosSchemaProblems(release, patch)).toEqual([]);
  });
});

describe("the node patch", () => {
  const plan = planOf();
  const patch = parseTalosPatch(renderFastFailoverNodePatch(plan, "k8s-controller2")) as { machine: { files: MachineFile[]; pods: Record<string, unknown>[] } };

  test("writes the config (0644) and the start script (0755) under /var with op create", () => {
    expect(patch.machine.files.map(({ path, op, permissions }) => [path, op, permissions.toString(8)])).toEqual([
      [`${KEEPALIVED_HOST_DIR}/keepalived.conf`, "create", "644"],
      [`${KEEPALIVED_HOST_DIR}/start.sh`, "create", "755"],
    ]);
    for (const file of patch.machine.files) expect(file.path.startsWith("/var/")).toBe(true);
    expect(patch.machine.files[0].content).toBe(keepalivedConfigOf(plan, "k8s-controller2"));
    expect(patch.machine.files[0].content).toContain(`interface ${KEEPALIVED_INTERFACE_PLACEHOLDER}\n`);
    expect(patch.machine.files[0].content).toContain("unicast_src_ip 192.168.1.212\n");
    expect(patch.machine.files[1].content).toBe(renderKeepalivedStartScript(plan.nodes[1].macAddress));
  });

  test("runs keepalived as a static pod: host network, the user's image, NET_ADMIN, NET_RAW, NET_BROADCAST, the folder read-only", () => {
    expect(patch.machine.pods).toEqual([
      expect.objectContaining({
        apiVersion: "v1",
        kind: "Pod",
        metadata: expect.objectContaining({ name: "keepalived-api", namespace: "kube-system" }),
        spec: expect.objectContaining({
          hostNetwork: true,
          containers: [
            expect.objectContaining({
              image: IMAGE,
              command: ["/bin/sh", `${KEEPALIVED_MOUNT_DIR}/start.sh`],
              securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW", "NET_BROADCAST"] } },
              volumeMounts: [{ name: "config", mountPath: KEEPALIVED_MOUNT_DIR, readOnly: true }],
            }),
          ],
          volumes: [{ name: "config", hostPath: { path: KEEPALIVED_HOST_DIR, type: "Directory" } }],
        }),
      }),
    ]);
  });

  test("holds no ${ or %{, which Terraform would evaluate", () => {
    expect(renderFastFailoverNodePatch(plan, "k8s-controller1")).not.toMatch(/[$%]\{/);
  });
});

describe("the start script", () => {
  const script = renderKeepalivedStartScript("02:AB:CD:EF:01:23");

  test("finds the NIC by the node's MAC (lower case, as the kernel prints it), not by a name", () => {
    expect(script).toContain('mac="02:ab:cd:ef:01:23"');
    expect(script).toContain("/sys/class/net/*");
    expect(script).toContain(`sed "s/${KEEPALIVED_INTERFACE_PLACEHOLDER}/$iface/g"`);
  });

  test("refuses to start when keepalived -t finds a problem, then runs keepalived in the foreground", () => {
    expect(script).toMatch(/keepalived --config-test --use-file "\$config"/);
    expect(script).toMatch(/"\$status" -ne 0 \] && \[ "\$status" -ne 143 \]/);
    expect(script.trimEnd().split("\n").pop()).toBe('exec keepalived --dont-fork --log-console --log-detail --use-file "$config"');
  });
});

describe("refusals", () => {
  test("off: nothing of fastFailover is checked", () => {
    expect(specProblemsOf({ fastFailoverVip: "nonsense", fastFailoverImage: "keepalived:latest" })).toEqual([]);
  });

  test("on: the reference homelab with a free VIP and a pinned image is fine", () => {
    expect(specProblemsOf(ENABLED)).toEqual([]);
  });

  test("fails without a VIP or an image", () => {
    expect(specProblemsOf({ fastFailoverEnabled: true })).toEqual([
      expect.stringMatching(/^fastFailoverVip = null: required with fastFailoverEnabled: a free address in networkCidr 192\.168\.1\.0\/24/),
      expect.stringMatching(/^fastFailoverImage = null: required with fastFailoverEnabled: a keepalived image pinned by digest/),
    ]);
  });

  test.each([
    ["192.168.1.210", /is Talos's VIP \(vip\); the fast VIP is a second address beside it/],
    ["192.168.1.212", /is the address of controlPlanes\[1\]\.ip \(k8s-controller2\); the fast VIP must be a free address of its own/],
    ["10.0.0.9", /must be inside networkCidr 192\.168\.1\.0\/24 .*; pick an address in that network/],
    ["192.168.1.255", /is the broadcast address of 192\.168\.1\.0\/24; pick a host address/],
    ["192.168.1.1", /is the gateway's address \(gateway\)/],
    ["192.168.1.300", /not an IPv4 address/],
  ])("fails for the fast VIP %s", (vip, message) => {
    const problems = specProblemsOf({ ...ENABLED, fastFailoverVip: vip });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^fastFailoverVip = "${vip.replaceAll(".", "\\.")}": ${message.source}`))]);
  });

  test("fails for a worker's address", () => {
    expect(specProblemsOf({ ...ENABLED, workers: [{ name: "w1", ip: "192.168.1.209" }] })).toContainEqual(
      expect.stringMatching(/^fastFailoverVip = "192\.168\.1\.209": is the address of workers\[0\]\.ip \(w1\)/),
    );
  });

  test.each(["registry.home.arpa/keepalived:2.2.7", "keepalived", `keepalived@sha256:${"A".repeat(64)}`, `keepalived@sha256:${"0".repeat(63)}`, `keepalived@sha512:${"0".repeat(64)}`])(
    "fails for the image %s: not pinned by digest",
    (image) => {
      expect(specProblemsOf({ ...ENABLED, fastFailoverImage: image })).toEqual([expect.stringMatching(/^fastFailoverImage = .*: not pinned by digest: .*name@sha256:<64 lower-case hex>/)]);
    },
  );

  test.each([0, 5, 505, 40_960, 1.5])("fails for the advert interval %d ms", (advertIntervalMs) => {
    expect(specProblemsOf({ ...ENABLED, fastFailoverAdvertIntervalMs: advertIntervalMs })).toEqual([
      expect.stringMatching(/^fastFailoverAdvertIntervalMs = [\d.]+: must be a whole number of milliseconds from 10 to 40950 in steps of 10/),
    ]);
  });

  test.each([0, 256, 1.5])("fails for the virtual router id %d", (id) => {
    expect(specProblemsOf({ ...ENABLED, fastFailoverVirtualRouterId: id })).toEqual([expect.stringMatching(/^fastFailoverVirtualRouterId = [\d.]+: VRRP virtual router ids are whole numbers from 1 to 255/)]);
  });

  test("fails with a single control plane", () => {
    const problems = specProblemsOf({ ...ENABLED, allowSingleNode: true, controlPlanes: [{ name: "solo", ip: "192.168.1.211" }] });
    expect(problems).toContainEqual(expect.stringMatching(/^fastFailoverEnabled = true: needs at least two control planes \(there is 1\)/));
  });

  test("every problem at once", () => {
    expect(specProblemsOf({ fastFailoverEnabled: true, fastFailoverVip: "192.168.1.210", fastFailoverImage: "keepalived:latest", fastFailoverAdvertIntervalMs: 3 })).toHaveLength(3);
  });
});
