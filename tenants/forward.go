package tenants

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/proxy"
	"github.com/valyala/fasthttp"
)

// HeaderForwardedBy marks a request one node forwarded to another: the
// receiver serves it or answers the maintenance page, never forwards it
// again (no loops while a lease changes hands).
const HeaderForwardedBy = "X-Espacefamille-Node"

// forwardClient keeps connections to the other nodes open between
// requests; redirects and bodies pass through untouched.
var forwardClient = &fasthttp.Client{
	NoDefaultUserAgentHeader:      true,
	DisablePathNormalizing:        true,
	DisableHeaderNamesNormalizing: true,
	MaxConnsPerHost:               512,
	MaxIdleConnDuration:           30 * time.Second,
	ReadTimeout:                   2 * time.Minute,
	WriteTimeout:                  time.Minute,
	MaxResponseBodySize:           64 << 20,
}

// routeRequest decides where the request for slug is served. done is
// false when this node serves it (it holds the lease, or nobody does and
// it will claim it); otherwise the request was forwarded to the owner (or
// answered the maintenance page) and err is the handler's result. known,
// when set, is the owner an open just found.
func (n *Nodes) routeRequest(c *fiber.Ctx, slug string, known *NotOwnerError) (done bool, err error) {
	url := ""
	if known != nil {
		url = known.URL
	} else if url, err = n.Route(c.UserContext(), slug); err != nil {
		return true, err
	}
	if url == "" {
		return false, nil
	}
	if len(c.Request().Header.Peek(HeaderForwardedBy)) > 0 {
		// Forwarded here by a node that thought this one the owner: the
		// lease is changing hands; the client retries in a moment.
		return true, ErrMaintenance
	}
	req := c.Request()
	req.UseHostHeader = true // the owner resolves the commune by its host name too
	// The client's address as this node established it (trusted proxies
	// applied): the owner trusts this node, and believes that one address.
	ip := c.IP()
	proto, host := c.Protocol(), c.Hostname()
	req.Header.Set(fiber.HeaderXForwardedFor, ip)
	req.Header.Set(fiber.HeaderXForwardedProto, proto)
	req.Header.Set(fiber.HeaderXForwardedHost, host)
	req.Header.Set(HeaderForwardedBy, n.id)
	if id := c.GetRespHeader("X-Request-Id"); id != "" {
		req.Header.Set("X-Request-Id", id) // one id in both nodes' logs
	}
	// The request gives its active-request slot back for good: it only
	// waits for the owner now. Holding it, two nodes forwarding to each
	// other could fill each other's slots with requests waiting for the
	// other, and both hang until the forward times out.
	leaveActive(c.UserContext())
	if err := proxy.DoTimeout(c, url+c.OriginalURL(), 2*time.Minute, forwardClient); err != nil {
		n.forgetOwner(slug)
		if errors.Is(err, fasthttp.ErrTimeout) {
			return true, fmt.Errorf("tenants: forward %s to %s: %w", slug, url, err)
		}
		// The owner does not answer (dead, its lease not expired yet).
		n.log.Debug("leases: owner unreachable", "commune", slug, "owner", url, "err", err)
		return true, ErrMaintenance
	}
	n.Forwards.Add(1)
	return true, nil
}
