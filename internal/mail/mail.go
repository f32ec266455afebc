// Package mail sends the few mails Zonewarden sends to people: password
// resets, address verification, team invitations. An installation with an
// SMTP relay configured sends through it; one without (a laptop) writes
// each mail to the log instead, so every flow still works.
//
//	m := mail.NewSMTP(mail.SMTPConfig{Addr: "smtp.example.com:587", From: "dns@example.com"})
//	err := m.Send(ctx, mail.Message{To: "a@example.com", Subject: "…", Body: "…"})
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"sync"
	"time"
)

// Message is a plain-text mail to one person.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender sends mail. It is what the dashboard takes.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

func (m Message) check() error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("mail to %q: %w", m.To, err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("mail subject holds a line break")
	}
	return nil
}

// Log writes each mail to a logger, body included: for installations
// without SMTP, where the operator reads reset links from the log.
type Log struct{ Logger *slog.Logger }

func (l Log) Send(ctx context.Context, m Message) error {
	if err := m.check(); err != nil {
		return err
	}
	l.Logger.Info("mail not sent (no SMTP configured); its text follows", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// SMTPConfig is an SMTP relay. Password is read from the environment by the
// caller, never from a flag (it would show in ps).
type SMTPConfig struct {
	Addr     string // host:port; STARTTLS is used when the relay offers it
	From     string
	Username string
	Password string
	Timeout  time.Duration // per mail; default 30 s
}

// SMTP sends through a relay.
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP returns a Sender for the relay in cfg.
func NewSMTP(cfg SMTPConfig) *SMTP {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}
}

func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.check(); err != nil {
		return err
	}
	from, err := mail.ParseAddress(s.cfg.From)
	if err != nil {
		return fmt.Errorf("smtp from %q: %w", s.cfg.From, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp connect %s: %w", s.cfg.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", s.cfg.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(tlsConfig(host)); err != nil {
			return fmt.Errorf("smtp starttls %s: %w", s.cfg.Addr, err)
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, host)); err != nil {
			return fmt.Errorf("smtp auth %s: %w", s.cfg.Addr, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("smtp RCPT TO %s: %w", m.To, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	fmt.Fprintf(w, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from.String(), m.To, mimeWord(m.Subject), time.Now().Format(time.RFC1123Z), strings.ReplaceAll(m.Body, "\n", "\r\n"))
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return c.Quit()
}

// Memory keeps mails instead of sending them: for tests.
type Memory struct {
	mu   sync.Mutex
	sent []Message
}

func (m *Memory) Send(ctx context.Context, msg Message) error {
	if err := msg.check(); err != nil {
		return err
	}
	m.mu.Lock()
	m.sent = append(m.sent, msg)
	m.mu.Unlock()
	return nil
}

// Sent returns the mails sent so far, oldest first.
func (m *Memory) Sent() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.sent...)
}

// Last returns the last mail sent to addr, and whether there was one.
func (m *Memory) Last(addr string) (Message, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if strings.EqualFold(m.sent[i].To, addr) {
			return m.sent[i], true
		}
	}
	return Message{}, false
}
