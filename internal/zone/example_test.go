package zone_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func Example() {
	const file = `$ORIGIN example.com.
$TTL 1h
@       SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
        NS    ns1
        ALIAS www
ns1     A     192.0.2.53
WWW     A     192.0.2.1
www 60  A     192.0.2.2
`
	z, err := zone.Parse(strings.NewReader(file), "example.com.", "example.com.zone")
	if err != nil {
		fmt.Println(err)
		return
	}
	z.WriteTo(os.Stdout)

	_, err = zone.Parse(strings.NewReader(file+"www CNAME elsewhere.example.\n"), "example.com.", "example.com.zone")
	fmt.Println(err)
	// Output:
	// $ORIGIN example.com.
	// @	3600	IN	SOA	ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300
	// @	3600	IN	NS	ns1.example.com.
	// @	3600	IN	ALIAS	www.example.com.
	// ns1	3600	IN	A	192.0.2.53
	// www	60	IN	A	192.0.2.1
	// www	60	IN	A	192.0.2.2
	// example.com.zone:9: CNAME record at www.example.com., which has other records
}
