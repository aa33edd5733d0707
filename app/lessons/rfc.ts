/**
 * The sections of RFC 6455 a lesson may cite, with their titles, so a citation is checked (the
 * content test refuses an unknown one) and shown with its name and a link to the text.
 */
export const RFC6455_SECTIONS: Readonly<Record<string, string>> = {
  '1': 'Introduction',
  '1.1': 'Background',
  '1.2': 'Protocol Overview',
  '1.3': 'Opening Handshake',
  '1.4': 'Closing Handshake',
  '1.5': 'Design Philosophy',
  '1.6': 'Security Model',
  '1.7': 'Relationship to TCP and HTTP',
  '1.8': 'Establishing a Connection',
  '1.9': 'Subprotocols Using the WebSocket Protocol',
  '2': 'Conformance Requirements',
  '3': 'WebSocket URIs',
  '4': 'Opening Handshake',
  '4.1': 'Client Requirements',
  '4.2': 'Server-Side Requirements',
  '4.2.1': "Reading the Client's Opening Handshake",
  '4.2.2': "Sending the Server's Opening Handshake",
  '4.3': 'Collected ABNF for New Header Fields Used in Handshake',
  '4.4': 'Supporting Multiple Versions of WebSocket Protocol',
  '5': 'Data Framing',
  '5.1': 'Overview',
  '5.2': 'Base Framing Protocol',
  '5.3': 'Client-to-Server Masking',
  '5.4': 'Fragmentation',
  '5.5': 'Control Frames',
  '5.5.1': 'Close',
  '5.5.2': 'Ping',
  '5.5.3': 'Pong',
  '5.6': 'Data Frames',
  '5.7': 'Examples',
  '5.8': 'Extensibility',
  '6': 'Sending and Receiving Data',
  '6.1': 'Sending Data',
  '6.2': 'Receiving Data',
  '7': 'Closing the Connection',
  '7.1': 'Definitions',
  '7.1.1': 'Close the WebSocket Connection',
  '7.1.2': 'Start the WebSocket Closing Handshake',
  '7.1.3': 'The WebSocket Closing Handshake is Started',
  '7.1.4': 'The WebSocket Connection is Closed',
  '7.1.5': 'The WebSocket Connection Close Code',
  '7.1.6': 'The WebSocket Connection Close Reason',
  '7.1.7': 'Fail the WebSocket Connection',
  '7.2': 'Abnormal Closures',
  '7.2.1': 'Client-Initiated Closure',
  '7.2.2': 'Server-Initiated Closure',
  '7.2.3': 'Recovering from Abnormal Closure',
  '7.3': 'Normal Closure of Connections',
  '7.4': 'Status Codes',
  '7.4.1': 'Defined Status Codes',
  '7.4.2': 'Reserved Status Code Ranges',
  '8': 'Error Handling',
  '8.1': 'Handling Errors in UTF-8-Encoded Data',
  '9': 'Extensions',
  '9.1': 'Negotiating Extensions',
  '9.2': 'Known Extensions',
  '10': 'Security Considerations',
  '10.1': 'Non-Browser Clients',
  '10.2': 'Origin Considerations',
  '10.3': 'Attacks On Infrastructure (Masking)',
  '10.4': 'Implementation-Specific Limits',
  '10.5': 'WebSocket Client Authentication',
  '10.6': 'Connection Confidentiality and Integrity',
  '10.7': 'Handling of Invalid Data',
  '10.8': 'Use of SHA-1 by the WebSocket Handshake',
  '11': 'IANA Considerations',
  '11.3.1': 'Sec-WebSocket-Key',
  '11.3.2': 'Sec-WebSocket-Extensions',
  '11.3.3': 'Sec-WebSocket-Accept',
  '11.3.4': 'Sec-WebSocket-Protocol',
  '11.3.5': 'Sec-WebSocket-Version',
  '11.7': 'WebSocket Opcode Registry',
  '11.8': 'WebSocket Framing Header Bits Registry',
};

/** Other RFCs a lesson may cite, by number: the sections known to exist. */
const OTHER: Readonly<Record<string, readonly string[]>> = {
  '7692': [
    '1',
    '5',
    '5.1',
    '6',
    '6.1',
    '6.2',
    '7',
    '7.1',
    '7.1.1',
    '7.1.2',
    '7.2',
    '7.2.1',
    '7.2.2',
    '7.2.3',
  ],
  '9110': ['7.8', '15.5.22', '11.6.2'],
  '3629': ['3', '4'],
  '4648': ['4'],
  '3174': ['1'],
};

export interface RfcRef {
  rfc: number;
  section: string;
  /** The section's title, when known. */
  title: string;
  href: string;
}

/** '5.2' (RFC 6455) or 'RFC 7692 7.1' -> the section with a link, or undefined when unknown. */
export function resolveRfc(cite: string): RfcRef | undefined {
  const m = /^(?:RFC ?(\d+) )?(\d+(?:\.\d+)*)$/.exec(cite.trim());
  if (!m) return undefined;
  const rfc = Number(m[1] ?? 6455);
  const section = m[2]!;
  const title =
    rfc === 6455 ? RFC6455_SECTIONS[section] : OTHER[String(rfc)]?.includes(section) ? '' : undefined;
  if (title === undefined) return undefined;
  return { rfc, section, title, href: `https://www.rfc-editor.org/rfc/rfc${rfc}#section-${section}` };
}
