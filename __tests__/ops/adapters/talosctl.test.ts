/**
 * The talosctl adapter: its parsers against output shaped exactly as
 * talosctl v1.13.9 prints it, and the client against a fake talosctl
 * executable (exit codes, stderr, deadlines, a missing binary).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProcessTimeoutError, ToolMissingError } from "../../../ops/adapters/process";
import { TalosctlClient, upgradeDeadlineMs } from "../../../ops/adapters/talosctl";
import { etcdHealth } from "../../../ops/upgrade";
import {
  hostOf,
  parseAddresses,
  parseBootId,
  parseEtcdMembers,
  parseEtcdStatus,
  parseJsonStream,
  parseMachineType,
  parseService,
  parseServiceInfo,
  parseSnapshotInfo,
  parseTalosconfigEndpoints,
  parseTalosVersion,
  talosctlFailure,
} from "../../../ops/adapters/talosctl-output";
import { etcdMembers, memberId, talosconfig } from "../../support/cluster-fixture";
import { writeFakeTools, writeTalosAnswers } from "../../support/fake-tools";
import { SimulatedCluster } from "../../support/simulated-cluster";
import { talosctlAnswers } from "../../support/simulated-talos";
import {
  addressesOutput,
  etcdMembersOutput,
  etcdStatusOutput,
  machineTypeOutput,
  resourceNotFound,
  serviceInfoOutput,
  serviceOutput,
  snapshotOutput,
  tabwriter,
  talosctlError,
  versionOutput,
} from "../../support/talosctl-output";

describe("talosctl output parsers", () => {
  test("etcd members: every row, with the NODE column", () => {
    const members = parseEtcdMembers(etcdMembersOutput("127.0.0.11", etcdMembers()));
    expect(members).toEqual(
      ["k8s-controller1", "k8s-controller2", "k8s-controller3"].map((name, i) => ({ id: memberId(name), hostname: name, peerUrls: [`https://127.0.0.1${i + 1}:2380`], isLearner: false })),
    );
  });

  test("etcd members: without the NODE column, a learner, and an empty cell kept empty", () => {
    const text = tabwriter([
      ["ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"],
      ["3a9c5e1f0b2d4c6e", "k8s-controller1", "https://127.0.0.11:2380", "https://127.0.0.11:2379", "false"],
      ["00000000000000ff", "", "https://127.0.0.14:2380", "", "true"],
    ]);
    expect(parseEtcdMembers(text)[1]).toEqual({ id: "00000000000000ff", hostname: "", peerUrls: ["https://127.0.0.14:2380"], isLearner: true });
  });

  test("fails on an empty etcd members answer", () => {
    expect(() => parseEtcdMembers("")).toThrow(/empty answer/);
  });

  test("fails on an etcd members answer that is not the table", () => {
    expect(() => parseEtcdMembers("error getting members: rpc error\n")).toThrow(/no table with columns ID, HOSTNAME, PEER URLS, LEARNER/);
  });

  test("etcd status: member and leader (cells with spaces such as '12 MB (48.10%)' do not shift columns)", () => {
    const status = parseEtcdStatus(etcdStatusOutput("127.0.0.12", memberId("k8s-controller2"), memberId("k8s-controller1")), "127.0.0.12");
    expect(status).toEqual({ node: "127.0.0.12", memberId: memberId("k8s-controller2"), leader: memberId("k8s-controller1"), raftIndex: 51234 });
  });

  test("etcd snapshot: the bytes written and the snapshot info lines", () => {
    expect(parseSnapshotInfo(snapshotOutput("/b/x.db", 2015264, 4193))).toEqual({ bytes: 2015264, hash: "c25fd181", revision: 4193, totalKeys: 1287, totalSize: 2015264 });
  });

  test("fails on an etcd snapshot answer without the snapshot info", () => {
    expect(() => parseSnapshotInfo('etcd snapshot saved to "x.db" (12 bytes)\n')).toThrow(/no snapshot info in the answer/);
  });

  test("service etcd: state and health of the two-column listing, Preparing with health ?", () => {
    expect(parseServiceInfo(serviceInfoOutput("127.0.0.11", "etcd", "Preparing", "?"), "etcd")).toEqual({ state: "Preparing", health: "?" });
    expect(parseServiceInfo(serviceInfoOutput("127.0.0.11", "etcd", "Running", "OK"), "etcd")).toEqual({ state: "Running", health: "OK" });
    expect(() => parseServiceInfo(serviceInfoOutput("127.0.0.11", "kubelet", "Running", "OK"), "etcd")).toThrow(/no service etcd/);
  });

  test("get machinetype: the spec is the type itself", () => {
    expect(parseMachineType(machineTypeOutput("127.0.0.11", "init"))).toBe("init");
    expect(() => parseMachineType("")).toThrow(/no machine type/);
  });

  test("get -o json: a stream of indented objects, not an array", () => {
    const text = addressesOutput("127.0.0.11", "127.0.0.11", ["127.0.0.1"]);
    expect(parseJsonStream(text)).toHaveLength(3);
    expect(parseAddresses(text)).toEqual(["127.0.0.1", "127.0.0.11"]);
    expect(parseAddresses("")).toEqual([]);
  });

  test("fails on a truncated JSON stream", () => {
    expect(() => parseJsonStream('{"metadata": {"id": "x"}')).toThrow(/truncated/);
  });

  test("version and service", () => {
    expect(parseTalosVersion(versionOutput("127.0.0.11", "v1.13.9"))).toBe("v1.13.9");
    expect(parseService(serviceOutput("127.0.0.11", "etcd", true, true), "etcd")).toEqual({ state: "Running", healthy: true });
    expect(parseService(serviceOutput("127.0.0.11", "etcd", false, true), "etcd")).toEqual({ state: "Not running", healthy: false });
  });

  test("fails on an empty version answer", () => {
    expect(() => parseTalosVersion("")).toThrow(/no Talos version/);
  });

  test("talosconfig endpoints of the current context, without ports", () => {
    expect(parseTalosconfigEndpoints(talosconfig(["127.0.0.11", "127.0.0.12:50000"]))).toEqual(["127.0.0.11", "127.0.0.12"]);
    expect(hostOf("[fd00::1]:50000")).toBe("fd00::1");
    expect(hostOf("fd00::1")).toBe("fd00::1");
  });

  test("boot id", () => {
    expect(parseBootId("0f4d2bd4-4c50-4a6b-9f2e-7e1f0c1f5a77\n")).toBe("0f4d2bd4-4c50-4a6b-9f2e-7e1f0c1f5a77");
    expect(() => parseBootId("")).toThrow(/not a boot id/);
  });
});

describe("talosctl's errors, as root.go prints them", () => {
  test("the error, not the usage talosctl prints after an error that mentions a flag, command or arg(s) (issue 20, defect 6)", () => {
    const { stderr } = talosctlError("unknown flag: --drain-timeout", "upgrade");
    expect(stderr).toMatch(/^unknown flag: --drain-timeout\n\nUsage:\n  talosctl upgrade \[flags\]\n\nFlags:\n[^]*\n\n$/);
    expect(talosctlFailure(stderr)).toBe("unknown flag: --drain-timeout");
    expect(talosctlFailure(talosctlError('accepts at most 2 arg(s), received 3', "service").stderr)).toBe("accepts at most 2 arg(s), received 3");
  });

  test("progress and warnings before the error; go-multierror's list as its errors", () => {
    expect(talosctlFailure("WARNING: 127.0.0.11: server version 1.12.6 is older than client version 1.13.9\nerror during upgrade: node 127.0.0.11: upgrade failed with exit code 1\n")).toBe(
      "error during upgrade: node 127.0.0.11: upgrade failed with exit code 1",
    );
    expect(talosctlFailure("2 errors occurred:\n\t* rpc error: code = Unavailable desc = a\n\t* rpc error: code = Unavailable desc = b\n\n\n")).toBe(
      "rpc error: code = Unavailable desc = a; rpc error: code = Unavailable desc = b",
    );
    expect(talosctlFailure(resourceNotFound("127.0.0.11", "Services.v1alpha1.talos.dev", "runtime", "etcd").stderr)).toBe(
      "rpc error: code = NotFound desc = resource Services.v1alpha1.talos.dev(runtime/etcd@undefined) doesn't exist",
    );
  });
});

describe("the simulated cluster's two faces agree", () => {
  test("its fake talosctl's output parses to what its in-memory client answers; a failing read fails in both, a node down answers nothing", async () => {
    // GIVEN k8s-controller2 holds the VIP, k8s-controller3 leads etcd, k8s-controller1's member is unhealthy, k8s-worker1 rebooting
    const sim = new SimulatedCluster({ vipHolder: "k8s-controller2", etcdLeader: "k8s-controller3", faults: [{ kind: "etcd-unhealthy", node: "k8s-controller1" }] });
    await sim.talos.reboot("127.0.0.21");
    // WHEN
    const answers = talosctlAnswers(sim);
    const output = (ip: string, command: string) => {
      const answer = answers[`${ip} ${command}`];
      if (typeof answer !== "string") throw new Error(`${ip} ${command}: ${JSON.stringify(answer)}`);
      return answer;
    };
    // THEN
    for (const ip of ["127.0.0.11", "127.0.0.12", "127.0.0.13"]) {
      expect(parseAddresses(output(ip, "get addresses"))).toEqual(await sim.talos.addresses(ip));
      expect(parseTalosVersion(output(ip, "get version"))).toBe(await sim.talos.version(ip));
      expect(parseBootId(output(ip, "read /proc/sys/kernel/random/boot_id"))).toBe(await sim.talos.bootId(ip));
      expect(parseService(output(ip, "get services etcd"), "etcd")).toEqual(await sim.talos.service(ip, "etcd"));
    }
    expect(await sim.talos.addresses("127.0.0.12")).toContain(sim.facts.vip);
    for (const ip of ["127.0.0.12", "127.0.0.13"]) {
      expect(parseEtcdMembers(output(ip, "etcd members"))).toEqual(await sim.talos.etcdMembers(ip));
      expect(parseEtcdStatus(output(ip, "etcd status"), ip)).toEqual(await sim.talos.etcdStatus(ip));
    }
    expect((await sim.talos.etcdStatus("127.0.0.12")).leader).toBe(memberId("k8s-controller3"));
    expect(await sim.talos.service("127.0.0.11", "etcd")).toEqual({ state: "Running", healthy: false });
    expect(answers["127.0.0.11 etcd status"]).toEqual({ stderr: expect.stringMatching(/etcd member not healthy/), code: 1 });
    await expect(sim.talos.etcdStatus("127.0.0.11")).rejects.toThrow(/etcd member not healthy/);
    expect(Object.keys(answers).filter((key) => key.startsWith("127.0.0.21 "))).toEqual([]);
    await expect(sim.talos.version("127.0.0.21")).rejects.toThrow(/127\.0\.0\.21: connection refused/);
  });

  test("a stopped etcd: the fake talosctl answers NotFound for its Services resource, and upgrade's etcd gate says not running (issue 20, defect 5)", async () => {
    const sim = new SimulatedCluster({ faults: [{ kind: "etcd-stopped", node: "k8s-controller2" }] });
    const answers = talosctlAnswers(sim);
    expect(answers["127.0.0.12 get services etcd"]).toEqual(resourceNotFound("127.0.0.12", "Services.v1alpha1.talos.dev", "runtime", "etcd"));
    expect(answers["127.0.0.12 service etcd"]).toMatch(/^STATE +Finished$/m);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-talosctl-stopped-"));
    try {
      writeFakeTools(path.join(dir, "bin"), ["talosctl"]);
      fs.writeFileSync(path.join(dir, "talosconfig"), talosconfig(["127.0.0.11"]));
      writeTalosAnswers(path.join(dir, "answers"), answers);
      process.env.FAKE_TALOS_DIR = path.join(dir, "answers");
      const talos = new TalosctlClient({ talosconfigPath: path.join(dir, "talosconfig"), talosconfigText: talosconfig(["127.0.0.11"]), executable: path.join(dir, "bin", "talosctl") });
      expect(await etcdHealth({ facts: sim.facts, talos })).toEqual({ ok: false, seen: "etcd not healthy on k8s-controller2 (not running)" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("TalosctlClient against a fake talosctl", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-talosctl-"));
    writeFakeTools(path.join(dir, "bin"), ["talosctl"]);
    fs.writeFileSync(path.join(dir, "talosconfig"), talosconfig(["127.0.0.11"]));
    writeTalosAnswers(
      path.join(dir, "answers"),
      {
        "127.0.0.11 etcd members": etcdMembersOutput("127.0.0.11", etcdMembers()),
        "127.0.0.11 get version": versionOutput("127.0.0.11", "v1.13.9"),
        "127.0.0.11 read /proc/sys/kernel/random/boot_id": "0f4d2bd4-4c50-4a6b-9f2e-7e1f0c1f5a77\n",
        "127.0.0.12 get version": { stderr: "error getting version: rpc error: code = PermissionDenied desc = not authorized\n", code: 1 },
        "127.0.0.13 get version": { sleepMs: 30_000 },
        "127.0.0.11 get services etcd": resourceNotFound("127.0.0.11", "Services.v1alpha1.talos.dev", "runtime", "etcd", "1.13"),
        "127.0.0.12 get services etcd": resourceNotFound("127.0.0.12", "Services.v1alpha1.talos.dev", "runtime", "etcd", "1.14"),
        "127.0.0.11 upgrade": "",
        "127.0.0.12 upgrade": talosctlError("unknown flag: --drain-timeout", "upgrade"),
      },
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const client = (props: Partial<ConstructorParameters<typeof TalosctlClient>[0]> = {}) =>
    new TalosctlClient({ talosconfigPath: path.join(dir, "talosconfig"), talosconfigText: talosconfig(["127.0.0.11"]), executable: path.join(dir, "bin", "talosctl"), ...props });
  const withScript = <T>(run: () => Promise<T>) => {
    process.env.FAKE_TALOS_DIR = path.join(dir, "answers");
    return run();
  };

  test("answers are parsed", async () => {
    await withScript(async () => {
      expect((await client().etcdMembers("127.0.0.11")).map((m) => m.hostname)).toEqual(["k8s-controller1", "k8s-controller2", "k8s-controller3"]);
      expect(await client().version("127.0.0.11")).toBe("v1.13.9");
      expect(await client().bootId("127.0.0.11")).toBe("0f4d2bd4-4c50-4a6b-9f2e-7e1f0c1f5a77");
      expect(await client().endpoints()).toEqual(["127.0.0.11"]);
    });
  });

  test("fails with talosctl's stderr line on a non-zero exit", async () => {
    await withScript(() => expect(client().version("127.0.0.12")).rejects.toThrow(/talosctl -n 127.0.0.12 get version failed \(exit 1\): .*PermissionDenied/));
  });

  test("fails at the deadline when talosctl does not answer (killed)", async () => {
    const started = Date.now();
    await withScript(() => expect(client({ readTimeoutMs: 500 }).version("127.0.0.13")).rejects.toThrow(ProcessTimeoutError));
    // Killed at its deadline: well before the fake's 30 s sleep, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test("a stopped etcd is not running, not unreachable: talosctl 1.13's and 1.14's NotFound for its Services resource (issue 20, defect 5)", async () => {
    await withScript(async () => {
      expect(await client().service("127.0.0.11", "etcd")).toEqual({ state: "Not running", healthy: false });
      expect(await client().service("127.0.0.12", "etcd")).toEqual({ state: "Not running", healthy: false });
    });
  });

  test("upgrade lets talosctl wait (--drain forces it) with an explicit --timeout, and is killed only after drain, reboot, Ready and a margin (issue 20, defect 1)", async () => {
    const log = path.join(dir, "calls.log");
    process.env.FAKE_TALOS_LOG = log;
    try {
      await withScript(() => client().upgrade("127.0.0.11", "factory.talos.dev/nocloud-installer/abc:v1.13.10", 20 * 60_000));
    } finally {
      delete process.env.FAKE_TALOS_LOG;
    }
    const call = fs.readFileSync(log, "utf8").trim();
    expect(call).toMatch(/ -n 127\.0\.0\.11 upgrade --image factory\.talos\.dev\/nocloud-installer\/abc:v1\.13\.10 --wait --timeout=1200s --drain --drain-timeout=300s$/);
    expect(call).not.toMatch(/--wait=false/);
    // 10 min to pull and install, 5 min to drain, 20 min for the reboot, 20 min for Ready
    expect(upgradeDeadlineMs(20 * 60_000)).toBe(55 * 60_000);
  });

  test("fails with talosctl's error, not the last line of the usage printed after it (issue 20, defect 6)", async () => {
    await withScript(() =>
      expect(client().upgrade("127.0.0.12", "factory.talos.dev/nocloud-installer/abc:v1.13.10", 60_000)).rejects.toThrow(/^talosctl -n 127\.0\.0\.12 upgrade failed \(exit 1\): unknown flag: --drain-timeout$/),
    );
  });

  test("fails with the install line when talosctl is missing", async () => {
    const missing = client({ executable: path.join(dir, "bin", "no-such-talosctl") });
    await expect(missing.checkInstalled()).rejects.toThrow(ToolMissingError);
    await expect(missing.version("127.0.0.11")).rejects.toThrow(/is not installed \(see docs\/operations\.md\)/);
  });
});
