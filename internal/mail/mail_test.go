package mail

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
)

// fakeRelay accepts one mail over plain SMTP and returns its DATA.
func fakeRelay(t *testing.T) (addr string, data <-chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 fake ESMTP\r\n")
		var body strings.Builder
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if inData {
				if line == ".\r\n" {
					inData = false
					ch <- body.String()
					fmt.Fprint(c, "250 queued\r\n")
					continue
				}
				body.WriteString(line)
				continue
			}
			switch cmd := strings.ToUpper(strings.Fields(line)[0]); cmd {
			case "EHLO":
				fmt.Fprint(c, "250-fake\r\n250 8BITMIME\r\n")
			case "DATA":
				inData = true
				fmt.Fprint(c, "354 go on\r\n")
			case "QUIT":
				fmt.Fprint(c, "221 bye\r\n")
				return
			default:
				fmt.Fprint(c, "250 ok\r\n")
			}
		}
	}()
	return ln.Addr().String(), ch
}

func TestSMTPSends(t *testing.T) {
	addr, data := fakeRelay(t)
	s := NewSMTP(SMTPConfig{Addr: addr, From: "Zonewarden <dns@example.com>"})
	err := s.Send(context.Background(), Message{To: "ana@example.com", Subject: "Réinitialiser", Body: "line one\nline two"})
	if err != nil {
		t.Fatal(err)
	}
	got := <-data
	for _, want := range []string{"To: ana@example.com\r\n", "Subject: =?utf-8?q?R=C3=A9initialiser?=\r\n", "line one\r\nline two"} {
		if !strings.Contains(got, want) {
			t.Errorf("mail lacks %q:\n%s", want, got)
		}
	}
}

func TestRefusesBadMessages(t *testing.T) {
	var m Memory
	for _, msg := range []Message{
		{To: "not an address", Subject: "x"},
		{To: "a@example.com", Subject: "x\r\nBcc: evil@example.com"},
	} {
		if err := m.Send(context.Background(), msg); err == nil {
			t.Errorf("Send(%+v) accepted", msg)
		}
	}
	if len(m.Sent()) != 0 {
		t.Fatal("a refused mail was kept")
	}
	m.Send(context.Background(), Message{To: "a@example.com", Subject: "one"})
	m.Send(context.Background(), Message{To: "A@example.com", Subject: "two"})
	if last, ok := m.Last("a@example.com"); !ok || last.Subject != "two" {
		t.Fatalf("Last = %+v, %v", last, ok)
	}
}
