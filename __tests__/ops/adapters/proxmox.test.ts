/**
 * The Proxmox API adapter of the drill's crash mode, against a fake Proxmox
 * API on 127.0.0.1 (support/fake-proxmox.ts). Loopback only.
 */
import { ProxmoxApiClient, proxmoxAccessFromEnv, type ProxmoxAccess } from "../../../ops/adapters/proxmox";
import * as os from "node:os";
import { close, listen, mintPki } from "../../support/ops-api";
import { FakeProxmox, PROXMOX_TOKEN, fakeProxmox, permissionsOn } from "../../support/fake-proxmox";

const TOKEN = PROXMOX_TOKEN;
const minted = mintPki();

async function withProxmox(test: (fake: FakeProxmox, client: ProxmoxApiClient, access: ProxmoxAccess) => Promise<void>, loopback: "127.0.0.1" | "::1" = "127.0.0.1"): Promise<void> {
  const fake = await fakeProxmox(minted);
  const port = await listen(fake.server, 0, loopback);
  const host = loopback === "::1" ? "[::1]" : loopback;
  const access: ProxmoxAccess = { endpoint: new URL(`https://${host}:${port}/`), token: TOKEN, ca: (await minted).ca };
  try {
    await test(fake, new ProxmoxApiClient({ access, taskPollMs: 10 }), access);
  } finally {
    await close(fake.server);
  }
}

describe("the Proxmox API variables (the provider's own)", () => {
  test("PROXMOX_VE_ENDPOINT and PROXMOX_VE_API_TOKEN; PROXMOX_VE_INSECURE as the provider reads it", () => {
    const access = proxmoxAccessFromEnv({ PROXMOX_VE_ENDPOINT: "https://pve1.lan:8006/", PROXMOX_VE_API_TOKEN: TOKEN, PROXMOX_VE_INSECURE: "true" });
    expect(access).toEqual({ endpoint: new URL("https://pve1.lan:8006/"), token: TOKEN, insecure: true });
    expect(proxmoxAccessFromEnv({ PROXMOX_VE_ENDPOINT: "https://pve1.lan:8006", PROXMOX_VE_API_TOKEN: TOKEN }).insecure).toBe(false);
  });

  test.each([
    [{}, /PROXMOX_VE_ENDPOINT and PROXMOX_VE_API_TOKEN are not set: the crash mode powers a VM off/],
    [{ PROXMOX_VE_ENDPOINT: "https://pve1.lan:8006/" }, /^PROXMOX_VE_API_TOKEN is not set/],
    [{ PROXMOX_VE_ENDPOINT: "pve1.lan:8006", PROXMOX_VE_API_TOKEN: TOKEN }, /PROXMOX_VE_ENDPOINT "pve1.lan:8006" (is not a URL|must start with https)/],
    [{ PROXMOX_VE_ENDPOINT: "http://pve1.lan:8006/", PROXMOX_VE_API_TOKEN: TOKEN }, /must start with https:\/\//],
    [{ PROXMOX_VE_ENDPOINT: "https://pve1.lan:8006/", PROXMOX_VE_API_TOKEN: "root@pam=just-a-secret" }, /PROXMOX_VE_API_TOKEN is not in the form USER@REALM!TOKENID=SECRET \(its value is not shown\)/],
  ])("fails for %j", (env, message) => {
    expect(() => proxmoxAccessFromEnv(env)).toThrow(message);
    try {
      proxmoxAccessFromEnv(env);
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
    }
  });
});

describe("ProxmoxApiClient against a fake Proxmox API on 127.0.0.1", () => {
  test("reads a VM's status and HA flag, and the token's privileges on /vms/{vmid}, with the API token header", async () => {
    await withProxmox(async (fake, client) => {
      expect(await client.vmStatus("pve1", 211)).toEqual({ status: "running", haManaged: false });
      expect(await client.vmStatus("pve1", 212)).toEqual({ status: "running", haManaged: true });
      expect(await client.privileges(211)).toEqual(["VM.Audit", "VM.Console", "VM.PowerMgmt"]);
      expect(new Set(fake.auth)).toEqual(new Set([`PVEAPIToken=${TOKEN}`]));
    });
  });

  test("stop posts status/stop and returns only once its task has stopped with OK; start likewise", async () => {
    await withProxmox(async (fake, client) => {
      expect(await client.stopVm("pve1", 211)).toEqual({ upid: expect.stringMatching(/^UPID:pve1:.*:qmstop:211:/), warnings: 0 });
      expect(fake.vms.get(211)?.status).toBe("stopped");
      const stop = fake.requests.filter((r) => r.includes("qmstop") || r.endsWith("/status/stop"));
      expect(stop[0]).toBe("POST /api2/json/nodes/pve1/qemu/211/status/stop");
      // Two reads said running, the third stopped: the client waited for it.
      expect(stop.slice(1)).toHaveLength(3);
      expect(stop[1]).toMatch(/^GET \/api2\/json\/nodes\/pve1\/tasks\/UPID%3Apve1%3A.*qmstop%3A211%3Adrill%40pve!ops%3A\/status$/);
      await client.startVm("pve1", 211);
      expect(fake.vms.get(211)?.status).toBe("running");
    });
  });

  test("fails when the task ends with an error, saying how it ended", async () => {
    await withProxmox(async (fake, client) => {
      fake.exitstatus = "command 'qm stop' failed: got timeout";
      await expect(client.stopVm("pve1", 211)).rejects.toThrow(`POST /nodes/pve1/qemu/211/status/stop: the task ended with "command 'qm stop' failed: got timeout"`);
    });
  });

  test("fails with Proxmox's reason for a missing privilege or VM, and never shows the token", async () => {
    await withProxmox(async (fake, client) => {
      fake.acls = [{ path: "/", privileges: ["VM.Audit"] }];
      const denied = client.stopVm("pve1", 211);
      await expect(denied).rejects.toThrow("Proxmox API POST /nodes/pve1/qemu/211/status/stop: HTTP 403 Permission check failed (/vms/211, VM.PowerMgmt)");
      await expect(client.vmStatus("pve1", 299)).rejects.toThrow(/HTTP 500 Configuration file 'nodes\/pve1\/qemu-server\/299.conf' does not exist/);
      await denied.catch((error: Error) => expect(error.message).not.toContain("secret"));
    });
  });

  test("fails on a wrong token with Proxmox's 401", async () => {
    await withProxmox(async (_fake, _client, access) => {
      const wrong = new ProxmoxApiClient({ access: { ...access, token: "drill@pve!ops=wrong" } });
      await expect(wrong.vmStatus("pve1", 211)).rejects.toThrow("HTTP 401 authentication failure");
    });
  });

  test("a self-signed certificate is refused with the fix, and accepted with PROXMOX_VE_INSECURE", async () => {
    await withProxmox(async (_fake, _client, access) => {
      const { ca: _ca, ...withoutCa } = access;
      await expect(new ProxmoxApiClient({ access: withoutCa }).vmStatus("pve1", 211)).rejects.toThrow(/certificate is not trusted .*PROXMOX_VE_INSECURE=true/);
      expect(await new ProxmoxApiClient({ access: { ...withoutCa, insecure: true } }).vmStatus("pve1", 211)).toMatchObject({ status: "running" });
    });
  });

  test("a closed port is one line, not a hang", async () => {
    const fake = await fakeProxmox();
    const port = await listen(fake.server);
    await close(fake.server);
    const client = new ProxmoxApiClient({ access: { endpoint: new URL(`https://127.0.0.1:${port}/`), token: TOKEN } });
    await expect(client.vmStatus("pve1", 211)).rejects.toThrow(`Proxmox API GET /nodes/pve1/qemu/211/status/current: connection refused by 127.0.0.1:${port}`);
  });
});

describe("ProxmoxApiClient as the real API answers (pve-access-control, pve-common, pve-manager)", () => {
  // GET /access/permissions maps each privilege to its propagate flag; a privilege is granted when its key is there.
  test("privileges granted through a pool count: a pool's ACL always answers 0", async () => {
    await withProxmox(async (fake, client) => {
      fake.acls = [{ path: "/pool/k8s", privileges: ["VM.Audit", "VM.PowerMgmt"] }];
      fake.pools = { k8s: [211] };
      expect(permissionsOn(fake, "/vms/211")).toEqual({ "VM.Audit": 0, "VM.PowerMgmt": 0 });
      expect(await client.privileges(211)).toEqual(["VM.Audit", "VM.PowerMgmt"]);
      // The API agrees: the stop goes through.
      await client.stopVm("pve1", 211);
      expect(fake.vms.get(211)?.status).toBe("stopped");
      // VM 212 is in no pool: nothing on it.
      expect(await client.privileges(212)).toEqual([]);
    });
  });

  test("an ACL on the VM itself without propagate counts (0); one on /vms without propagate does not reach the VM", async () => {
    await withProxmox(async (fake, client) => {
      fake.acls = [
        { path: "/vms", privileges: ["VM.Audit"], propagate: false },
        { path: "/vms/212", privileges: ["VM.Audit", "VM.PowerMgmt"], propagate: false },
      ];
      expect(permissionsOn(fake, "/vms/212")).toEqual({ "VM.Audit": 0, "VM.PowerMgmt": 0 });
      expect(await client.privileges(212)).toEqual(["VM.Audit", "VM.PowerMgmt"]);
      expect(await client.privileges(211)).toEqual([]);
      await expect(client.stopVm("pve1", 211)).rejects.toThrow("HTTP 403 Permission check failed (/vms/211, VM.PowerMgmt)");
    });
  });

  test.each([
    ["WARNINGS: 2", 2],
    ["WARNINGS: 1", 1],
    ["OK", 0],
  ])("a task that ends %j succeeded (UPID.pm status_is_error), with %d warning(s)", async (exitstatus, warnings) => {
    await withProxmox(async (fake, client) => {
      fake.exitstatus = exitstatus;
      expect(await client.stopVm("pve1", 211)).toMatchObject({ warnings });
      expect(await client.startVm("pve1", 211)).toMatchObject({ warnings });
    });
  });

  test.each(["unexpected status", "WARNINGS: two", "unable to get last line from task log - No such file"])("fails when the task ends %j (an error for status_is_error)", async (exitstatus) => {
    await withProxmox(async (fake, client) => {
      fake.exitstatus = exitstatus;
      await expect(client.stopVm("pve1", 211)).rejects.toThrow(`POST /nodes/pve1/qemu/211/status/stop: the task ended with "${exitstatus}"`);
    });
  });
});

// This machine has IPv6 loopback when ::1 is on an interface; without it the test cannot listen there.
const ipv6Loopback = Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((a) => a.family === "IPv6" && a.address === "::1"));

(ipv6Loopback ? describe : describe.skip)("an IPv6 endpoint, https://[::1]:PORT/ (a fake on ::1)", () => {
  test("reads, stops and lists hosts: the brackets are URL syntax, not part of the address", async () => {
    await withProxmox(async (fake, client, access) => {
      expect(access.endpoint.hostname).toBe("[::1]");
      expect(await client.vmStatus("pve1", 211)).toEqual({ status: "running", haManaged: false });
      expect(await client.privileges(211)).toEqual(["VM.Audit", "VM.Console", "VM.PowerMgmt"]);
      await client.stopVm("pve1", 211);
      expect(fake.vms.get(211)?.status).toBe("stopped");
      expect((await client.hosts()).map((h) => h.node)).toEqual(["pve1", "pve2", "pve3"]);
    }, "::1");
  });

  test("PROXMOX_VE_ENDPOINT=https://[::1]:8006/ is read as such, and a closed port names [::1]:PORT in its message", async () => {
    expect(proxmoxAccessFromEnv({ PROXMOX_VE_ENDPOINT: "https://[::1]:8006/", PROXMOX_VE_API_TOKEN: TOKEN }).endpoint.host).toBe("[::1]:8006");
    const fake = await fakeProxmox(minted);
    const port = await listen(fake.server, 0, "::1");
    await close(fake.server);
    const client = new ProxmoxApiClient({ access: { endpoint: new URL(`https://[::1]:${port}/`), token: TOKEN } });
    await expect(client.vmStatus("pve1", 211)).rejects.toThrow(`Proxmox API GET /nodes/pve1/qemu/211/status/current: connection refused by [::1]:${port}`);
  });
});
