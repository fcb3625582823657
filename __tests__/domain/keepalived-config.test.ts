import {
  ADVERT_INTERVAL_MS_RANGE,
  KEEPALIVED_INTERFACE_PLACEHOLDER,
  controlPlanePriorities,
  fastFailoverVirtualRouterId,
  formatAdvertInterval,
  renderKeepalivedConfig,
} from "../../domain/keepalived-config";

const IPS = ["192.168.1.211", "192.168.1.212", "192.168.1.213"];

/** The config of the n-th of three control planes, as the stack renders it. */
function configOf(index: number, overrides: { readonly interface?: string; readonly advertIntervalMs?: number } = {}): string {
  return renderKeepalivedConfig({
    clusterName: "homelab",
    virtualRouterId: 103,
    vip: "192.168.1.209",
    prefixLength: 24,
    self: { ip: IPS[index], priority: controlPlanePriorities(3)[index] },
    peers: IPS.filter((_, other) => other !== index),
    interface: overrides.interface ?? "ens18",
    advertIntervalMs: overrides.advertIntervalMs ?? 500,
  });
}

describe("keepalived.conf", () => {
  test("the first of three control planes: the whole text", () => {
    expect(configOf(0)).toBe(`# Rendered by the homelab stack (fast API failover). Do not edit: the stack rewrites it.
global_defs {
    router_id homelab_api
    vrrp_version 3
    enable_script_security
    script_user keepalived_script
}

vrrp_script apiserver_ready {
    script "/usr/bin/curl -skf --max-time 1 https://127.0.0.1:6443/readyz"
    interval 1
    timeout 2
    fall 2
    rise 2
}

vrrp_instance homelab_api {
    state BACKUP
    nopreempt
    interface ens18
    virtual_router_id 103
    priority 150
    advert_int 0.5
    unicast_src_ip 192.168.1.211
    unicast_peer {
        192.168.1.212
        192.168.1.213
    }
    garp_master_refresh 5
    garp_master_refresh_repeat 1
    higher_prio_send_advert
    garp_lower_prio_repeat 1
    virtual_ipaddress {
        192.168.1.209/24 dev ens18
    }
    track_script {
        apiserver_ready
    }
}
`);
  });

  test.each([0, 1, 2])("control plane %i: itself as the unicast source, the other two as peers, its priority, every required directive", (index) => {
    const text = configOf(index);
    expect(text).toContain(`unicast_src_ip ${IPS[index]}\n`);
    const peers = /unicast_peer \{\n([^}]*)\}/.exec(text)?.[1].trim().split(/\s+/);
    expect(peers).toEqual(IPS.filter((_, other) => other !== index));
    expect(text).toContain(`priority ${[150, 140, 130][index]}\n`);
    for (const directive of [
      "vrrp_version 3",
      "enable_script_security",
      "script_user keepalived_script",
      "state BACKUP",
      "nopreempt",
      "garp_master_refresh 5",
      "higher_prio_send_advert",
      "garp_lower_prio_repeat 1",
      'script "/usr/bin/curl -skf --max-time 1 https://127.0.0.1:6443/readyz"',
      "interval 1",
      "fall 2",
      "rise 2",
      "track_script {",
      "192.168.1.209/24 dev ens18",
    ]) {
      expect(text).toContain(directive);
    }
    // No preemption: no node starts as MASTER.
    expect(text).not.toMatch(/state MASTER/);
  });

  test("the same virtual router id on every control plane, and the same text for the same input", () => {
    const ids = [0, 1, 2].map((index) => /virtual_router_id (\d+)/.exec(configOf(index))?.[1]);
    expect(new Set(ids)).toEqual(new Set(["103"]));
    expect(configOf(1)).toBe(configOf(1));
  });

  test("the interface placeholder stands for the NIC's name in both places", () => {
    const text = configOf(0, { interface: KEEPALIVED_INTERFACE_PLACEHOLDER });
    expect(text.split(KEEPALIVED_INTERFACE_PLACEHOLDER)).toHaveLength(3);
    expect(text).not.toContain("ens18");
  });

  test.each([
    [10, "0.01"],
    [200, "0.2"],
    [500, "0.5"],
    [1000, "1"],
    [1230, "1.23"],
    [ADVERT_INTERVAL_MS_RANGE.max, "40.95"],
  ])("advert interval %i ms is advert_int %s", (ms, text) => {
    expect(formatAdvertInterval(ms)).toBe(text);
    expect(configOf(0, { advertIntervalMs: ms })).toContain(`advert_int ${text}\n`);
  });

  test("the virtual router id is derived from the cluster name: stable, 1-255, different for different names", () => {
    expect(fastFailoverVirtualRouterId("homelab")).toBe(103);
    const ids = ["homelab", "lab", "prod", "staging", "a", "b"].map(fastFailoverVirtualRouterId);
    for (const id of ids) expect(id).toBeGreaterThanOrEqual(1), expect(id).toBeLessThanOrEqual(255);
    expect(new Set(ids).size).toBeGreaterThan(1);
  });

  test("priorities by node order, 10 apart, never below 1", () => {
    expect(controlPlanePriorities(3)).toEqual([150, 140, 130]);
    expect(controlPlanePriorities(7)).toEqual([150, 140, 130, 120, 110, 100, 90]);
  });
});
