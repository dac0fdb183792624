// Command faultproxy forwards a TCP port to a service (PostgreSQL, Redis) so that the fault
// scripts can take the service away from a server without stopping it for anyone else:
// SIGUSR1 cuts every connection and refuses new ones, SIGUSR2 accepts again, SIGTERM/SIGINT
// exits. See internal/faultproxy and scripts/fault-*.sh.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/careergraph/careergraph/internal/faultproxy"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	to := flag.String("to", "", "host:port to forward to")
	flag.Parse()
	if *to == "" {
		fmt.Fprintln(os.Stderr, "faultproxy: -to host:port is required")
		os.Exit(2)
	}
	p, err := faultproxy.Start(*listen, *to)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "faultproxy: %s -> %s\n", p.Addr(), *to)
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM, syscall.SIGINT)
	for s := range sig {
		switch s {
		case syscall.SIGUSR1:
			p.Down()
			fmt.Fprintln(os.Stderr, "faultproxy: down")
		case syscall.SIGUSR2:
			if err := p.Up(); err != nil {
				fmt.Fprintln(os.Stderr, "faultproxy: up:", err)
				continue
			}
			fmt.Fprintln(os.Stderr, "faultproxy: up")
		default:
			_ = p.Close()
			return
		}
	}
}
