/**
 * Ethernet II, IPv4 (RFC 791) and TCP (RFC 9293) headers, written and read: what a capture
 * holds around the WebSocket bytes. Checksums are computed (RFC 1071), so tools that check them
 * find nothing wrong.
 */

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const IP_PROTO_TCP = 6;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface Segment {
  src: Uint8Array; // 4 bytes (IPv4) or 16 (IPv6, when read)
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Uint8Array;
}

/** RFC 1071: the 16-bit one's complement of the one's complement sum. */
function checksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd === undefined) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One Ethernet frame carrying one IPv4 packet carrying one TCP segment. */
export function ethernetIpv4Tcp(s: Segment, id: number): Uint8Array {
  const tcpLen = 20 + s.payload.length;
  const ipLen = 20 + tcpLen;
  const out = new Uint8Array(14 + ipLen);
  const v = new DataView(out.buffer);
  // Ethernet II: made-up, locally administered MAC addresses (02:...), one per IP address.
  out.set([0x02, 0, ...s.dst], 0);
  out.set([0x02, 0, ...s.src], 6);
  v.setUint16(12, ETHERTYPE_IPV4);
  // IPv4: version 4, IHL 5, total length, id, DF, TTL 64, TCP.
  const ip = 14;
  out[ip] = 0x45;
  v.setUint16(ip + 2, ipLen);
  v.setUint16(ip + 4, id & 0xffff);
  v.setUint16(ip + 6, 0x4000);
  out[ip + 8] = 64;
  out[ip + 9] = IP_PROTO_TCP;
  out.set(s.src, ip + 12);
  out.set(s.dst, ip + 16);
  v.setUint16(ip + 10, checksum([out.subarray(ip, ip + 20)]));
  // TCP: ports, seq, ack, data offset 5, flags, window, checksum over the pseudo-header.
  const t = ip + 20;
  v.setUint16(t, s.srcPort);
  v.setUint16(t + 2, s.dstPort);
  v.setUint32(t + 4, s.seq >>> 0);
  v.setUint32(t + 8, s.ack >>> 0);
  out[t + 12] = 5 << 4;
  out[t + 13] = s.flags;
  v.setUint16(t + 14, 65535);
  out.set(s.payload, t + 20);
  const pseudo = new Uint8Array(12);
  pseudo.set(s.src, 0);
  pseudo.set(s.dst, 4);
  pseudo[9] = IP_PROTO_TCP;
  new DataView(pseudo.buffer).setUint16(10, tcpLen);
  v.setUint16(t + 16, checksum([pseudo, out.subarray(t, t + tcpLen)]));
  return out;
}

/** The TCP segment inside an IPv4 or IPv6 packet, or undefined (not TCP, a fragment, cut short). */
export function readIpTcp(packet: Uint8Array): Segment | undefined {
  if (packet.length < 20) return undefined;
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const version = packet[0]! >> 4;
  let src: Uint8Array;
  let dst: Uint8Array;
  let at: number;
  let end: number;
  if (version === 4) {
    const ihl = (packet[0]! & 15) * 4;
    if (packet[9] !== IP_PROTO_TCP || ihl < 20) return undefined;
    // A fragment (more fragments, or an offset) is not reassembled here.
    if ((v.getUint16(6) & 0x3fff) !== 0) return undefined;
    src = packet.slice(12, 16);
    dst = packet.slice(16, 20);
    at = ihl;
    end = Math.min(packet.length, v.getUint16(2) || packet.length);
  } else if (version === 6) {
    if (packet.length < 40 || packet[6] !== IP_PROTO_TCP) return undefined; // no extension headers
    src = packet.slice(8, 24);
    dst = packet.slice(24, 40);
    at = 40;
    end = Math.min(packet.length, 40 + v.getUint16(4));
  } else return undefined;
  if (end - at < 20) return undefined;
  const off = (packet[at + 12]! >> 4) * 4;
  if (off < 20 || at + off > end) return undefined;
  return {
    src,
    dst,
    srcPort: v.getUint16(at),
    dstPort: v.getUint16(at + 2),
    seq: v.getUint32(at + 4),
    ack: v.getUint32(at + 8),
    flags: packet[at + 13]!,
    payload: packet.subarray(at + off, end),
  };
}
