package jobs

// Progress is progress, for tests.
var Progress = progress
