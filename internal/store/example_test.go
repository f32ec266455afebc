package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/zonewarden/zonewarden/internal/store"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "zonewarden")
	defer os.RemoveAll(dir)

	s, err := store.Open(ctx, filepath.Join(dir, "data", "zonewarden.db"),
		store.WithNameServers([]string{"ns1.example.net.", "ns2.example.net."}))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	u, acct, err := s.CreateUser(ctx, "ada@example.com", "correct horse battery")
	if err != nil {
		log.Fatal(err)
	}
	actor := store.Actor{UserID: &u.ID, Label: u.Email}
	if _, err := s.CreateDomain(ctx, actor, acct.ID, "example.com"); err != nil {
		log.Fatal(err)
	}
	_, err = s.CreateRecord(ctx, actor, acct.ID, "example.com",
		store.RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.CreateRecord(ctx, actor, acct.ID, "example.com",
		store.RecordInput{Name: "www", Type: "A", Content: "192.0.2"})
	fmt.Println(err)

	z, err := s.ZoneData(ctx, "example.com")
	if err != nil {
		log.Fatal(err)
	}
	for _, rr := range z.Records[1:] { // after the SOA, whose serial is today's
		fmt.Println(rr)
	}
	// Output:
	// change zone example.com: content: "192.0.2" is not an IPv4 address
	// example.com.	3600	IN	NS	ns1.example.net.
	// example.com.	3600	IN	NS	ns2.example.net.
	// www.example.com.	3600	IN	A	192.0.2.1
}
