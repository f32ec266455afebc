package mail

import (
	"crypto/tls"
	"mime"
)

func tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// mimeWord encodes a subject that is not plain ASCII (RFC 2047).
func mimeWord(s string) string { return mime.QEncoding.Encode("utf-8", s) }
