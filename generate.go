package main

// One entry point for generated code, in this order: entc writes ent/ and schema/ent.graphql,
// then gqlgen reads schema/*.graphql and writes graph/.
//go:generate go run ./ent/entc.go
//go:generate go run github.com/99designs/gqlgen generate
