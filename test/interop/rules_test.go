package interop

// rule normalizes one deliberate difference between a reference server and
// the server under test. Each has an entry in DIFFERENCES.md under its name.
type rule struct {
	name  string
	ref   string // the reference it applies to, "*" for any
	apply func(q query, tr transport, ref, sut *view) bool
}

var rules = []rule{}
