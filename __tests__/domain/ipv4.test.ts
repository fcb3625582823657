import {
  broadcastAddress,
  formatCidr,
  formatIpv4,
  networkAddress,
  networkContains,
  parseCidr,
  parseIpv4,
  withPrefixLength,
} from "../../domain";

describe("parseIpv4", () => {
  test.each([
    ["0.0.0.0", 0],
    ["192.168.1.211", 0xc0a801d3],
    ["255.255.255.255", 0xffffffff],
  ])("parses %s", (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  test.each(["192.168.1.300", "192.168.1", "192.168.1.1.1", "abc", "", "192.168.001.5", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "fd00::1", "1.2.3.4/24"])(
    "rejects %p",
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
    },
  );
});

describe("parseCidr", () => {
  test("parses a network and answers membership questions", () => {
    const network = parseCidr("192.168.1.0/24")!;
    expect(formatCidr(network)).toBe("192.168.1.0/24");
    expect(networkAddress(network)).toBe("192.168.1.0");
    expect(broadcastAddress(network)).toBe("192.168.1.255");
    expect(networkContains(network, "192.168.1.211")).toBe(true);
    expect(networkContains(network, "192.168.2.1")).toBe(false);
    expect(networkContains(network, "not-an-ip")).toBe(false);
    expect(withPrefixLength("192.168.1.211", network)).toBe("192.168.1.211/24");
  });

  test("handles prefixes that do not fall on octet boundaries", () => {
    const network = parseCidr("10.0.8.0/21")!;
    expect(broadcastAddress(network)).toBe("10.0.15.255");
    expect(networkContains(network, "10.0.15.254")).toBe(true);
    expect(networkContains(network, "10.0.16.0")).toBe(false);
  });

  test.each(["192.168.1.5/24", "192.168.1.0", "192.168.1.0/33", "192.168.1.0/024", "192.168.1.0/", "abc/24"])("rejects %p", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});
