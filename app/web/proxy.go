package web

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// TrustedProxies are the reverse proxies in front of the node. A request
// whose TCP peer is one of them has its X-Forwarded-For, -Proto and -Host
// believed (Fiber's EnableTrustedProxyCheck); any other request's are
// ignored, so that a client cannot choose the address the rate limits
// count against, nor make the server believe it came over TLS.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// ParseTrustedProxies validates a list of IP addresses and CIDR ranges
// ("127.0.0.1", "10.0.0.0/8", "fd00::/8"); each item may itself be a
// comma-separated list. Empty items are ignored.
func ParseTrustedProxies(items []string) (TrustedProxies, error) {
	var p TrustedProxies
	for _, item := range items {
		for _, s := range strings.Split(item, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if strings.Contains(s, "/") {
				pfx, err := netip.ParsePrefix(s)
				if err != nil {
					return p, fmt.Errorf("trusted proxy %q: not an IP address or CIDR range", s)
				}
				p.prefixes = append(p.prefixes, pfx.Masked())
				continue
			}
			a, err := netip.ParseAddr(s)
			if err != nil || a.Zone() != "" {
				return p, fmt.Errorf("trusted proxy %q: not an IP address or CIDR range", s)
			}
			a = a.Unmap()
			p.prefixes = append(p.prefixes, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return p, nil
}

// list is the ranges as Fiber's TrustedProxies takes them (always CIDRs,
// so that Fiber matches by range and never by string equality).
func (p TrustedProxies) list() []string {
	out := make([]string, 0, len(p.prefixes))
	for _, pfx := range p.prefixes {
		out = append(out, pfx.String())
	}
	return out
}

func (p TrustedProxies) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, pfx := range p.prefixes {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// normalize reduces a trusted proxy's X-Forwarded-For to the one client
// address it vouches for, so that c.IP() (which reads the header's first
// entry) is right. A proxy that appends to the header (nginx's
// $proxy_add_x_forwarded_for) leaves what the client sent on the left, so
// the list is read from the right: the proxies' own hops are skipped and
// the first address that is not a trusted proxy is the client. A request
// from any other peer keeps its header, which Fiber then ignores.
func (p TrustedProxies) normalize(c *fiber.Ctx) {
	if len(p.prefixes) == 0 {
		return
	}
	h := c.Request().Header.Peek(fiber.HeaderXForwardedFor)
	if len(h) == 0 {
		return
	}
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !p.contains(peer) {
		return
	}
	parts := strings.Split(string(h), ",")
	client := ""
	for i := len(parts) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
		if err != nil || a.Zone() != "" {
			break // what lies beyond garbage is unknown: keep the last hop read
		}
		client = a.Unmap().String()
		if !p.contains(a) {
			break
		}
	}
	if client == "" {
		c.Request().Header.Del(fiber.HeaderXForwardedFor) // c.IP() falls back to the peer
		return
	}
	c.Request().Header.Set(fiber.HeaderXForwardedFor, client)
}
