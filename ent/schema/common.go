package schema

import "regexp"

// slugPattern is the shape of every slug: lower-case words joined by single hyphens.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
