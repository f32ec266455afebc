package web

import (
	"regexp"
	"strings"
)

// The zone package and the store say what is wrong in terse, exact words
// for the API. The dashboard says it in sentences a person can act on:
// what is wrong, and what to do instead.

var conflictWords = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`^CNAME record at (\S+?)\.?, which has other records$`),
		"The name $1 has other records, and a CNAME record must be alone at its name. Choose another name, or delete the other records first"},
	{regexp.MustCompile(`^(\S+) record at (\S+?)\.?, which has a CNAME$`),
		"The name $2 has a CNAME record, which must be alone at its name, so no $1 record can be added beside it. Choose another name, or delete the CNAME record first"},
	{regexp.MustCompile(`^second CNAME record at (\S+?)\.?$`),
		"The name $1 has a CNAME record already, and a name can have only one. Edit that one instead"},
	{regexp.MustCompile(`^ALIAS record at (\S+?)\.?, which has A or AAAA records$`),
		"The name $1 has A or AAAA records, and an ALIAS record answers with addresses itself, so it cannot be beside them. Delete them first, or choose another name"},
	{regexp.MustCompile(`^(A|AAAA) record at (\S+?)\.?, which has an ALIAS$`),
		"The name $2 has an ALIAS record, which answers with addresses itself, so no $1 record can be added beside it. Delete the ALIAS record first, or choose another name"},
	{regexp.MustCompile(`^second ALIAS record at (\S+?)\.?$`),
		"The name $1 has an ALIAS record already, and a name can have only one. Edit that one instead"},
	{regexp.MustCompile(`^second DNAME record at (\S+?)\.?$`),
		"The name $1 has a DNAME record already, and a name can have only one"},
	{regexp.MustCompile(`^(\S+?)\.? is below the DNAME at (\S+?)\.?$`),
		"The name $1 is below the DNAME record at $2, which redirects every name below it, so it cannot have records of its own"},
}

// plainConflict says in words a rule between records that a write breaks;
// false when msg is not about one.
func plainConflict(msg string) (string, bool) {
	for _, c := range conflictWords {
		if c.re.MatchString(msg) {
			return sentence(c.re.ReplaceAllString(msg, c.with)), true
		}
	}
	return sentence(msg), false
}

// plainFieldProblem says in words what is wrong with one field of a
// record, given the zone package's message about it.
func plainFieldProblem(field, msg string) string {
	if c, ok := plainConflict(msg); ok {
		return c
	}
	startsWithValue := strings.HasPrefix(msg, `"`) || msg != "" && msg[0] >= '0' && msg[0] <= '9'
	switch {
	case field == "name" && startsWithValue:
		return sentence("The name " + msg)
	case field == "ttl" && startsWithValue:
		return sentence("The TTL " + msg)
	case field == "content" && strings.HasPrefix(msg, "is "):
		return sentence("The content " + msg)
	}
	return sentence(msg)
}
