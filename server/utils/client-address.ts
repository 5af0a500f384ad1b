import type { H3Event } from 'h3'
import ipaddr from 'ipaddr.js'

let warned = false

/**
 * The client's address as a rate-limit key, or undefined when it cannot be known; callers then
 * skip their per-client limit rather than put every client into one shared bucket.
 *
 * - On Workers: `CF-Connecting-IP`, which Cloudflare's edge sets and a client cannot.
 * - On Node with TRUST_PROXY=N: X-Forwarded-For read from the right, N hops back from the
 *   socket's peer. Entries further left were written by the client and are never used.
 * - Otherwise: the socket's peer.
 *
 * IPv6 addresses count by their /64 network, which one host usually holds in full.
 *
 * @example const address = clientAddress(event) // '203.0.113.9', '2001:db8:1:2::/64' or undefined
 */
export function clientAddress(event: H3Event): string | undefined {
  if (ON_WORKERS) return addressKey(getRequestHeader(event, 'cf-connecting-ip'))
  const peer = event.node.req.socket?.remoteAddress
  const hops = serverConfig().trustedProxyHops
  const forwarded = (getRequestHeader(event, 'x-forwarded-for') ?? '').split(',').map(part => part.trim()).filter(Boolean)
  if (!hops && forwarded.length && !warned) {
    warned = true
    console.warn('[neptun] requests carry X-Forwarded-For but TRUST_PROXY is not set: every client behind that proxy shares its address. Set TRUST_PROXY to the number of proxies in front of the app.')
  }
  const chain = [...forwarded, peer]
  // With fewer entries than trusted hops the request skipped a proxy: the leftmost is the best there is.
  return addressKey(chain[Math.max(0, chain.length - 1 - hops)])
}

/** An address as a rate-limit key: IPv4 as it is (also when mapped into IPv6), IPv6 as its /64; undefined when it is no address. */
export function addressKey(address: string | undefined): string | undefined {
  if (!address || !ipaddr.isValid(address)) return undefined
  const parsed = ipaddr.process(address)
  if (parsed.kind() === 'ipv4') return parsed.toString()
  return `${(ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`)).toString()}/64`
}

/** The host the client asked for: behind trusted proxies, the one the nearest of them forwarded. */
export function requestHost(event: H3Event): string {
  const forwarded = serverConfig().trustedProxyHops > 0 ? getRequestHeader(event, 'x-forwarded-host')?.split(',').at(-1)?.trim() : undefined
  return forwarded || getRequestHost(event)
}
