package app

import (
	"strings"
	"testing"
)

// TestServeMailNeedsPublicURL: with an SMTP relay, links in mails must use
// the configured address, never a request's Host header (password-reset
// poisoning).
func TestServeMailNeedsPublicURL(t *testing.T) {
	c := DefaultServeConfig()
	c.SMTP.Addr, c.SMTP.From = "smtp.example.com:587", "dns@example.com"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--public-url is required") {
		t.Errorf("SMTP without --public-url: %v", err)
	}
	c.PublicURL = "https://dns.example.com"
	if err := c.Validate(); err != nil {
		t.Errorf("SMTP with --public-url: %v", err)
	}
}
