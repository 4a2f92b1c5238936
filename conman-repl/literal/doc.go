// Package literal reads and writes protobuf messages as JavaScript object
// literals, the notation conman-repl transcripts use:
//
//	{ exec: { args: ["sh", "-c", 'echo "hi"'], env: { NAME: "x" }, blocking: true } }
//
// Parse accepts what a person types: unquoted or quoted keys, single,
// double or backtick strings with JavaScript escapes, numbers, true, false,
// null, nested objects and arrays, trailing commas and // or /* */
// comments. Keys are a field's JSON name or proto name. Enum values are
// names (any case, quoted or bare) or numbers. A bare string stands for a
// File where one is expected ({ files: ["a", "b"] }); Timestamps take an
// RFC 3339 string or seconds since the epoch. Every error is one line that
// names the column and what was wrong.
//
// Format prints the other way, in one canonical style: `{ key: value }`,
// fields in declaration order, only fields that are set, strings quoted as
// encoding/json quotes them, enums as quoted names, `[ a, b ]` for lists.
// For any command c with a body, Parse(Format(c)) equals c.
package literal
