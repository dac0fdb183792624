package schema

// CountedPagination asks ent/template/paginate_counted.tmpl for a PaginateCounted method on the
// type's query: Paginate with the total in the page's own statement (see ent/gql_paginate_ext.go).
// Put it on types whose connections a cluster page nests under a role.
type CountedPagination struct{}

// Name of the annotation, as templates see it.
func (CountedPagination) Name() string { return "CountedPagination" }
