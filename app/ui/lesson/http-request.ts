/** How the lab makes one plain HTTP GET in its mode (http-log.ts loads this with the first request). */
import { httpUrl, loopbackHttp, serverHttp } from '../../lessons/http-client.ts';
import type { HttpRecord } from '../../lessons/types.ts';
import { getDefaultNetwork, type VirtualNetwork } from '../../loopback/network.ts';
import type { Transport } from '../transport/transport.ts';

/** Server mode: the page's real fetch to our server; loopback: the transport's in-page network. */
export function requestOn(transport: Transport, path: string, signal?: AbortSignal): Promise<HttpRecord> {
  const url = httpUrl(transport.endpointUrl(path));
  const options = signal ? { signal } : {};
  if (transport.label === 'server') return serverHttp(url, options);
  const network = (transport as Partial<{ network: VirtualNetwork }>).network ?? getDefaultNetwork();
  return loopbackHttp(url, network, options);
}
