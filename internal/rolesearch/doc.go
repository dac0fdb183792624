// Package rolesearch finds roles: by what people call them (Rank and Search, over titles and
// aliases, typo-tolerant) and by what they share with another role (RelatedRoles, over core
// skills and career routes). It holds the query-side rules; graph/ resolvers call it.
//
// It has no title normaliser of its own: a searcher's words and every role name are read by
// internal/titles (titles.Tokens, with titles.Distance for typos and titles.Spellings for the
// written forms of a canonical word), the normaliser the feed importer classifies openings
// with, so that an imported opening's title and a searcher's words mean the same thing.
// Decided: the scoring stays here rather than in titles, because it answers a different
// question (how well does a loose query match a name, 0 to 100, paged as a connection) from
// titles' Classify and Rank (which role does a title name, by weighted phrase coverage).
package rolesearch
