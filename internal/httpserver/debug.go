package httpserver

import (
	"net/http"
	"net/http/pprof"
)

// Debug returns the profiler's handler (net/http/pprof under /debug/pprof/), for the listener
// DEBUG_ADDR names. It is a mux of its own: New never routes to it, so the public port cannot
// serve profiles whatever DEBUG_ADDR says. (Importing net/http/pprof also registers it on
// http.DefaultServeMux, which nothing here serves.)
func Debug() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
