/**
 * IPv4 address and CIDR helpers. Strict parsing: four decimal octets 0-255,
 * no leading zeros (which some tools read as octal), nothing else.
 */

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** The address as an unsigned 32-bit number, or undefined if it is not a strict IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** An IPv4 network in CIDR notation, e.g. 192.168.1.0/24. */
export interface Ipv4Network {
  /** First address of the network, as a number. */
  readonly base: number;
  readonly prefixLength: number;
}

/**
 * The network an address with a prefix length belongs to (`192.168.1.5/24`
 * -> 192.168.1.0/24), or undefined when the address or prefix is malformed.
 */
export function enclosingNetwork(text: string): Ipv4Network | undefined {
  const match = /^([^/]+)\/(0|[1-9][0-9]?)$/.exec(text);
  const address = match ? parseIpv4(match[1]) : undefined;
  const prefixLength = Number(match?.[2]);
  if (address === undefined || prefixLength > 32) return undefined;
  return { base: address - (address % 2 ** (32 - prefixLength)), prefixLength };
}

/**
 * Parses `a.b.c.d/n`. Returns undefined when the address or prefix is malformed
 * or when host bits are set (`192.168.1.5/24` is an address, not a network).
 */
export function parseCidr(text: string): Ipv4Network | undefined {
  const network = enclosingNetwork(text);
  return network && formatCidr(network) === text ? network : undefined;
}

/** Number of addresses in the network, including network and broadcast addresses. */
function networkSize(network: Ipv4Network): number {
  return 2 ** (32 - network.prefixLength);
}

export function networkAddress(network: Ipv4Network): string {
  return formatIpv4(network.base);
}

export function broadcastAddress(network: Ipv4Network): string {
  return formatIpv4(network.base + networkSize(network) - 1);
}

export function formatCidr(network: Ipv4Network): string {
  return `${networkAddress(network)}/${network.prefixLength}`;
}

export function networkContains(network: Ipv4Network, address: string): boolean {
  const value = parseIpv4(address);
  return value !== undefined && value >= network.base && value < network.base + networkSize(network);
}

/** The address with the network's prefix length, as cloud-init expects: `192.168.1.211/24`. */
export function withPrefixLength(address: string, network: Ipv4Network): string {
  return `${address}/${network.prefixLength}`;
}
