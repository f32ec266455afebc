// Command probe waits until a name server answers every name in a list, and
// prints the wall-clock time at which it did, in Unix nanoseconds. bench/run.sh
// takes the time just before it starts a server, runs probe, and reports the
// difference as the server's load time.
//
//	probe -server 127.0.0.1:35353 -names probe.txt -timeout 120s
//
// Each line of the names file is "name type" (dnsperf's format). A name counts
// as answered when the reply is NOERROR, authoritative, and has an answer. It
// uses only the standard library, so it builds while the engine doesn't.
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"time"
)

var qtypes = map[string]uint16{"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33}

func main() {
	server := flag.String("server", "127.0.0.1:53", "server address")
	names := flag.String("names", "", "file of \"name type\" lines")
	timeout := flag.Duration("timeout", 120*time.Second, "give up after this long")
	flag.Parse()
	qs, err := readNames(*names)
	if err != nil {
		log.Fatalf("probe: %s", err)
	}
	deadline := time.Now().Add(*timeout)
	var id uint16
	for _, q := range qs {
		for {
			id++
			err := ask(*server, q, id)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				log.Fatalf("probe: %s type %d: %s", q.name, q.typ, err)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	fmt.Println(time.Now().UnixNano())
}

type question struct {
	name string
	typ  uint16
}

func readNames(path string) ([]question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []question
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		t, ok := qtypes[strings.ToUpper(fields[1])]
		if !ok {
			return nil, fmt.Errorf("read %s: unknown type %q", path, fields[1])
		}
		qs = append(qs, question{fields[0], t})
	}
	return qs, sc.Err()
}

var errNotYet = errors.New("not answered yet")

func ask(server string, q question, id uint16) error {
	c, err := net.Dial("udp", server)
	if err != nil {
		return err
	}
	defer c.Close()
	msg := binary.BigEndian.AppendUint16(nil, id)
	msg = append(msg, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) // no RD, QDCOUNT 1
	for _, label := range strings.Split(strings.TrimSuffix(q.name, "."), ".") {
		msg = append(msg, byte(len(label)))
		msg = append(msg, label...)
	}
	msg = append(msg, 0)
	msg = binary.BigEndian.AppendUint16(msg, q.typ)
	msg = binary.BigEndian.AppendUint16(msg, 1)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if n < 12 || binary.BigEndian.Uint16(buf) != id {
		return errNotYet
	}
	aa := buf[2]&0x04 != 0
	rcode := buf[3] & 0x0f
	ancount := binary.BigEndian.Uint16(buf[6:])
	if !aa || rcode != 0 || ancount == 0 {
		return fmt.Errorf("%w: aa=%t rcode=%d ancount=%d", errNotYet, aa, rcode, ancount)
	}
	return nil
}
