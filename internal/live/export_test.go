package live

// Split is split, for tests.
var Split = split
