//go:build ignore

// entc.go generates the ent client and the GraphQL schema (schema/ent.graphql) from ent/schema.
// `go generate ./...` runs it from the module root (see generate.go there), so paths are relative
// to the root.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	if err := entc.Generate("./ent/schema", &gen.Config{
		Target:  "./ent",
		Package: "github.com/careergraph/careergraph/ent",
		Features: []gen.Feature{
			gen.FeatureModifier,
			gen.FeatureGlobalID,
			gen.FeatureUpsert,
			gen.FeatureVersionedMigration,
		},
	}, entc.Extensions(ex), entc.TemplateFiles("./ent/template/paginate_counted.tmpl", "./ent/template/version.tmpl")); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
