// Command benchdiff puts two benchmark reports written by benchreport side
// by side: for every measurement both hold, the figure before and after,
// each with the run-to-run range its report gives, so a change can be
// judged against how much the figure moves by itself. `make bench-compare
// BASE=rev` runs benchreport at rev and at the working tree, one after the
// other on the same machine, and writes the result.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	out := flag.String("out", "", "where to write the comparison (default: standard output)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: benchdiff [-out FILE] BEFORE.md AFTER.md")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	before, err := readRows(flag.Arg(0))
	if err == nil {
		var after []row
		if after, err = readRows(flag.Arg(1)); err == nil {
			err = write(*out, flag.Arg(0), flag.Arg(1), before, after)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchdiff:", err)
		os.Exit(1)
	}
}

// row is one measurement of a report's table.
type row struct {
	name, value, baseline, ratio string
}

// readRows reads the measurement rows of a report's table: lines of six
// cells, the first naming the measurement.
func readRows(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseRows(f)
}

func parseRows(r io.Reader) ([]row, error) {
	var rows []row
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 4 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "measurement" || strings.HasPrefix(cells[0], "---") {
			continue
		}
		rows = append(rows, row{name: cells[0], value: cells[1], baseline: cells[2], ratio: cells[3]})
	}
	return rows, sc.Err()
}

// write prints the rows both reports hold, in the order of the later one,
// then the names found in only one of them.
func write(path, beforeName, afterName string, before, after []row) error {
	w := os.Stdout
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	old := make(map[string]row, len(before))
	for _, r := range before {
		old[r.name] = r
	}
	fmt.Fprintf(w, "# pid1 benchmarks before and after\n\nBefore: %s. After: %s. Both measured on this machine, one after the other.\n\n", beforeName, afterName)
	fmt.Fprintln(w, "| measurement | before: pid1 | before: baseline | before: ratio (range) | after: pid1 | after: baseline | after: ratio (range) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	seen := make(map[string]bool, len(after))
	var onlyAfter []string
	for _, r := range after {
		seen[r.name] = true
		b, ok := old[r.name]
		if !ok {
			onlyAfter = append(onlyAfter, r.name)
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.name, b.value, b.baseline, b.ratio, r.value, r.baseline, r.ratio)
	}
	var onlyBefore []string
	for _, r := range before {
		if !seen[r.name] {
			onlyBefore = append(onlyBefore, r.name)
		}
	}
	for _, l := range []struct {
		title string
		names []string
	}{{"Only before", onlyBefore}, {"Only after (new measurements)", onlyAfter}} {
		if len(l.names) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", l.title)
		for _, n := range l.names {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	return nil
}
