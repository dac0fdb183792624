// Package ent holds the ent client generated from ent/schema by ent/entc.go; run
// `go generate ./...` from the module root after changing a schema. Everything here except
// ent/schema, ent/template, ent/entc.go, this file and ent/gql_paginate_ext.go is generated.
package ent
