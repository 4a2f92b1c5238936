package nodejs

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/packager"
)

func TestImports(t *testing.T) {
	src := `const a = require('tiny-a')
const fp = require("lodash/fp")
import express from "express"
import { x,
  y } from '@scope/pkg/deep'
import "side-effect"
export * from 're-exported'
const lazy = await import('lazy')
import local from './local.js'
import abs from '/abs/path'
import fs from 'node:fs'
import raw from 'raw-loader!./file.txt'
// require('commented-out')
const b = require('tiny-a')
const c = require('chalk') // upm package(chalk-pinned)
`
	want := []string{"tiny-a", "lodash", "express", "@scope/pkg", "side-effect", "re-exported", "lazy", "chalk-pinned"}
	if got := Imports(src); !slices.Equal(got, want) {
		t.Errorf("Imports:\n got %q\nwant %q", got, want)
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"tiny-a", "@scope/pkg", "lodash.merge", "a_b"} {
		if err := checkName(ok); err != nil {
			t.Errorf("checkName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".hidden", "-flag", "a b", "a/b", "@s/p/q", "../x", "a?b", "a#b", "a%2f", "c:\\x", strings.Repeat("a", 215)} {
		if checkName(bad) == nil {
			t.Errorf("checkName(%q): no error", bad)
		}
	}
}

func TestRegistryAnswers(t *testing.T) {
	pkgs, err := parseSearch([]byte(`{"objects":[
		{"package":{"name":"tiny-a","version":"1.0.0","description":"d","links":{"homepage":"http://h"},
			"author":{"name":"Ada","email":"ada@example.test"},"license":{"type":"MIT"},"repository":{"url":"git+http://r"}}},
		{"package":{"name":"","version":"9"}},
		{"package":{"name":"tiny-b","dist-tags":{"latest":"1.1.0"},"publisher":{"username":"bob"},"license":[{"type":"MIT"},"ISC"],"bugs":"http://b"}}]}`))
	want := []packager.Pkg{
		{Name: "tiny-a", Version: "1.0.0", Description: "d", Homepage: "http://h", Source: "git+http://r", Author: "Ada <ada@example.test>", License: "MIT"},
		{Name: "tiny-b", Version: "1.1.0", BugTracker: "http://b", Author: "bob", License: "MIT OR ISC"},
	}
	if err != nil || !reflect.DeepEqual(pkgs, want) {
		t.Errorf("parseSearch:\n got %+v, %v\nwant %+v", pkgs, err, want)
	}
	p, err := parseDocument([]byte(`{"name":"tiny-a","dist-tags":{"latest":"1.0.0"},"description":"top",
		"versions":{"1.0.0":{"description":"v1","homepage":"http://h","dependencies":{"tiny-b":"^1.0.0","aa":"1"},
			"author":"Ada <ada@example.test> (http://ada)","repository":["http://r1","http://r2"]},"0.1.0":{}}}`))
	wantP := packager.Pkg{Name: "tiny-a", Version: "1.0.0", Description: "v1", Homepage: "http://h", Documentation: "http://h",
		Source: "http://r1", Author: "Ada <ada@example.test> (http://ada)", Dependencies: []string{"aa", "tiny-b"}}
	if err != nil || !reflect.DeepEqual(p, wantP) {
		t.Errorf("parseDocument:\n got %+v, %v\nwant %+v", p, err, wantP)
	}
	for _, bad := range []string{`<html>`, `{}`, `{"name":5}`} {
		if _, err := parseDocument([]byte(bad)); err == nil {
			t.Errorf("parseDocument(%s): no error", bad)
		}
	}
	lock3, err := parseLock([]byte(`{"lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/tiny-b":{"version":"1.1.0"},
		"node_modules/tiny-a":{"version":"1.0.0"},"node_modules/tiny-a/node_modules/tiny-b":{"version":"1.0.0"},"packages/member":{}}}`))
	if want := []packager.Pkg{{Name: "tiny-a", Version: "1.0.0"}, {Name: "tiny-b", Version: "1.1.0"}}; err != nil || !reflect.DeepEqual(lock3, want) {
		t.Errorf("parseLock v3 = %+v, %v", lock3, err)
	}
	lock1, err := parseLock([]byte(`{"lockfileVersion":1,"dependencies":{"tiny-a":{"version":"1.0.0"}}}`))
	if want := []packager.Pkg{{Name: "tiny-a", Version: "1.0.0"}}; err != nil || !reflect.DeepEqual(lock1, want) {
		t.Errorf("parseLock v1 = %+v, %v", lock1, err)
	}
	if _, err := parseLock([]byte("{")); err == nil || !strings.Contains(err.Error(), "package-lock.json") {
		t.Errorf("parseLock of a broken file: %v", err)
	}
}
