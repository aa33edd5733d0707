/**
 * Reading capture files: classic pcap (microsecond and nanosecond, either byte order) and pcapng
 * (Section Header, Interface Description, Enhanced, Simple and obsolete Packet Blocks, either
 * byte order, any if_tsresol). What comes out is each packet's time and its IP packet, with the
 * link layer taken off (Ethernet with VLAN tags, raw IP, BSD loopback, Linux cooked v1/v2).
 * Anything else is skipped and counted; a file that is neither format is a CaptureError.
 */

export class CaptureError extends Error {}

export interface IpPacket {
  /** Milliseconds since the epoch (fractional). */
  t: number;
  ip: Uint8Array;
}

export interface Capture {
  format: 'pcap' | 'pcapng';
  packets: IpPacket[];
  /** Packets whose link layer or network protocol this reader does not know. */
  skipped: number;
}

const LINK_NULL = 0;
const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_LINUX_SLL = 113;
const LINK_IPV4 = 228;
const LINK_IPV6 = 229;
const LINK_LINUX_SLL2 = 276;

/** The IP packet in one link-layer frame, or undefined. */
function ipOf(link: number, data: Uint8Array): Uint8Array | undefined {
  const u16 = (at: number): number => (data[at]! << 8) | data[at + 1]!;
  let at: number;
  let type: number;
  switch (link) {
    case LINK_ETHERNET:
      if (data.length < 14) return undefined;
      at = 12;
      type = u16(at);
      // 802.1Q / 802.1ad tags.
      while ((type === 0x8100 || type === 0x88a8) && data.length >= at + 6) {
        at += 4;
        type = u16(at);
      }
      at += 2;
      break;
    case LINK_RAW:
    case LINK_IPV4:
    case LINK_IPV6:
      return data;
    case LINK_NULL:
      // BSD loopback: a 4-byte address family in the host's byte order (2: IPv4; 24, 28, 30: IPv6).
      return data.length > 4 ? data.subarray(4) : undefined;
    case LINK_LINUX_SLL:
      if (data.length < 16) return undefined;
      type = u16(14);
      at = 16;
      break;
    case LINK_LINUX_SLL2:
      if (data.length < 20) return undefined;
      type = u16(0);
      at = 20;
      break;
    default:
      return undefined;
  }
  return type === 0x0800 || type === 0x86dd ? data.subarray(at) : undefined;
}

function readPcap(bytes: Uint8Array, view: DataView): Capture {
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (bytes.length < 24) throw new CaptureError('the pcap file ends inside its header');
  const link = view.getUint32(20, little) & 0xffff;
  const packets: IpPacket[] = [];
  let skipped = 0;
  for (let at = 24; at + 16 <= bytes.length;) {
    const sec = view.getUint32(at, little);
    const frac = view.getUint32(at + 4, little);
    const incl = view.getUint32(at + 8, little);
    if (at + 16 + incl > bytes.length) break; // cut short: keep what came before
    const ip = ipOf(link, bytes.subarray(at + 16, at + 16 + incl));
    if (ip) packets.push({ t: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), ip });
    else skipped++;
    at += 16 + incl;
  }
  return { format: 'pcap', packets, skipped };
}

interface Iface {
  link: number;
  /** Ticks per second. */
  rate: number;
}

function readPcapng(bytes: Uint8Array): Capture {
  const packets: IpPacket[] = [];
  let skipped = 0;
  let little = true;
  let ifaces: Iface[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 12 <= bytes.length;) {
    let type = view.getUint32(at, little);
    if (type === 0x0a0d0d0a) {
      // A new section: its byte order, and its own interfaces.
      const bom = view.getUint32(at + 8, true);
      if (bom === 0x1a2b3c4d) little = true;
      else if (bom === 0x4d3c2b1a) little = false;
      else throw new CaptureError('a pcapng section header with an unknown byte-order magic');
      type = 0x0a0d0d0a;
      ifaces = [];
    }
    const len = view.getUint32(at + 4, little);
    if (len < 12 || len % 4 !== 0 || at + len > bytes.length) break; // damaged or cut short
    const body = bytes.subarray(at + 8, at + len - 4);
    const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    if (type === 1 && body.length >= 8) {
      const iface: Iface = { link: bv.getUint16(0, little), rate: 1e6 };
      // Options: if_tsresol (9) says the timestamp unit.
      for (let o = 8; o + 4 <= body.length;) {
        const code = bv.getUint16(o, little);
        const olen = bv.getUint16(o + 2, little);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const r = body[o + 4]!;
          iface.rate = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
        }
        o += 4 + ((olen + 3) & ~3);
      }
      ifaces.push(iface);
    } else if ((type === 6 || type === 2) && body.length >= 20) {
      // Enhanced Packet Block (6), or the obsolete Packet Block (2, with a 16-bit interface id).
      const id = type === 6 ? bv.getUint32(0, little) : bv.getUint16(0, little);
      const iface = ifaces[id];
      const ticks = bv.getUint32(4, little) * 2 ** 32 + bv.getUint32(8, little);
      const caplen = bv.getUint32(12, little);
      const ip =
        iface && caplen <= body.length - 20 ? ipOf(iface.link, body.subarray(20, 20 + caplen)) : undefined;
      if (ip && iface) packets.push({ t: (ticks / iface.rate) * 1000, ip });
      else skipped++;
    } else if (type === 3 && body.length >= 4) {
      // Simple Packet Block: interface 0, no timestamp.
      const iface = ifaces[0];
      const caplen = Math.min(bv.getUint32(0, little), body.length - 4);
      const ip = iface ? ipOf(iface.link, body.subarray(4, 4 + caplen)) : undefined;
      if (ip) packets.push({ t: packets.at(-1)?.t ?? 0, ip });
      else skipped++;
    }
    at += len;
  }
  return { format: 'pcapng', packets, skipped };
}

/** True when the bytes start like a pcap or pcapng file. */
export function isCapture(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const m = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  return m === 0x0a0d0d0a || [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(m);
}

export function readCapture(bytes: Uint8Array): Capture {
  if (!isCapture(bytes))
    throw new CaptureError(
      'this is not a pcap or pcapng capture (its first bytes are no capture format magic)',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(0, true) === 0x0a0d0d0a ? readPcapng(bytes) : readPcap(bytes, view);
}
