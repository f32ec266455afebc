package zone

import (
	"cmp"
	"strings"

	"github.com/miekg/dns"
)

// CompareNames orders names canonically (RFC 4034 §6.1): label by label
// from the root, each label as lower-cased octets, a parent before its
// children. Names that are not valid domain names sort by their text, after
// lower-casing.
func CompareNames(a, b string) int {
	var wa, wb [256]byte
	var la, lb [128]uint8
	na, oka := wireLabels(dns.Fqdn(a), wa[:], la[:])
	nb, okb := wireLabels(dns.Fqdn(b), wb[:], lb[:])
	if !oka || !okb {
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	}
	for i, j := na-1, nb-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		x := wa[la[i]+1 : int(la[i])+1+int(wa[la[i]])]
		y := wb[lb[j]+1 : int(lb[j])+1+int(wb[lb[j]])]
		if c := compareLower(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(na, nb)
}

// nameKey appends to dst the key of name in canonical order: bytes.Compare
// of two keys is CompareNames of their names wherever both names pack, and
// ok is false where name does not pack (CompareNames then compares text).
// A sort that compares keys packs each name once instead of twice per
// comparison.
//
// The key is the labels from the root, lower-cased, each followed by 0x00
// 0x00; a 0x00 octet inside a label is written 0x00 0xff so that a label
// still sorts after every label it extends.
func nameKey(dst []byte, name string) (key []byte, ok bool) {
	var w [256]byte
	var starts [128]uint8
	n, ok := wireLabels(dns.Fqdn(name), w[:], starts[:])
	if !ok {
		return dst, false
	}
	for i := n - 1; i >= 0; i-- {
		off := int(starts[i])
		for _, b := range w[off+1 : off+1+int(w[off])] {
			if b == 0 {
				dst = append(dst, 0, 0xff)
			} else {
				dst = append(dst, lower(b))
			}
		}
		dst = append(dst, 0, 0)
	}
	return dst, true
}

// wireLabels packs name into buf and records where each label starts.
func wireLabels(name string, buf []byte, starts []uint8) (int, bool) {
	end, err := dns.PackDomainName(name, buf, 0, nil, false)
	if err != nil {
		return 0, false
	}
	n := 0
	for off := 0; off < end && buf[off] != 0; off += int(buf[off]) + 1 {
		starts[n] = uint8(off)
		n++
	}
	return n, true
}

func compareLower(x, y []byte) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		if c := cmp.Compare(lower(x[i]), lower(y[i])); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(x), len(y))
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// SerialLess reports whether SOA serial a is before b in serial number
// arithmetic (RFC 1982). Serials exactly 2^31 apart are not comparable and
// neither is before the other.
func SerialLess(a, b uint32) bool {
	return int32(b-a) > 0
}

// simpleName reports whether name is the root, or fully qualified, at most
// 254 octets, in labels of 1 to 63 octets of lower-case letters, digits,
// '-', '_' and '*' — and, when loose, upper-case letters and '/' (RFC 2317
// owners) too: names whose text needs no escape.
func simpleName(name string, loose bool) bool {
	if name == "." {
		return true
	}
	if len(name) == 0 || len(name) > 254 || name[len(name)-1] != '.' {
		return false
	}
	label := 0
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '.':
			if label == 0 || label > 63 {
				return false
			}
			label = 0
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '*':
			label++
		case loose && ('A' <= c && c <= 'Z' || c == '/'):
			label++
		default:
			return false
		}
	}
	return true
}
