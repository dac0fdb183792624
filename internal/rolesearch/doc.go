// Package rolesearch finds roles: by what people call them (Rank, over titles and aliases,
// typo-tolerant) and by what they share with another role (Related, over core skills and
// career routes). It holds the rules; graph/ resolvers call it.
//
// The title normaliser (Normalize) is this package's own for now. The feed importer (issue 10)
// builds a title normaliser of its own; the two are to be unified into one package that both
// use, so that an imported opening's title and a searcher's words are read by the same rules.
// Until then, keep the rules here and the importer's in step by hand.
package rolesearch
