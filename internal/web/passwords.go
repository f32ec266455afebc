package web

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// commonPasswords is a short list of the passwords most often found in
// breaches, one a line, lower-case. A password on it is refused whatever
// its length.
//
//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for l := range strings.Lines(commonPasswordList) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

const (
	minPassword = 10
	maxPassword = 256
)

// passwordProblem says what is wrong with a new password, or "".
func passwordProblem(password, email string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < minPassword:
		return "Use at least 10 characters. A few unrelated words make a long password that is easy to remember."
	case n > maxPassword:
		return "Use at most 256 characters."
	case commonPasswords[strings.ToLower(password)]:
		return "This password is one of the most common ones, which attackers try first. Choose another."
	case strings.EqualFold(password, email):
		return "Your password must not be your email address."
	}
	return ""
}
