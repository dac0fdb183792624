// Command opsload is the load the fault and soak scripts put on a running server: -conns
// readers cycling through the role page, a search and a match, and -writers editors creating
// skills, for -duration. Every -interval it prints one line: requests, 5xx, GraphQL errors,
// transport errors and the readers' p50/p99 latency in that interval; at the end the totals.
//
// Each write the server acknowledged (HTTP 200, no GraphQL error, an id) is appended to
// -acked as "id slug", so that a script can check after a crash or SIGTERM that every one of
// them is in the database. Transport errors are split into "refused" (no connection: the
// server was not listening) and "broken" (the connection was made and the request sent, but
// no answer came): after SIGTERM only the first kind is expected.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var reads = []struct{ query string }{
	{`query RolePage($slug: String!) { role(slug: $slug) {
		id slug title aliases summary experienceMinYears experienceMaxYears coreSkills { name members { name } }
		responsibilities { text } requirements { text } faqs { question answer }
		salary(country: "IN") { currency period min max bands { level min max } }
		openings(first: 20, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) {
		  totalCount pageInfo { hasNextPage endCursor }
		  edges { cursor node { id title postedAt company { name } location { city } skills { name } } } }
		interviewQuestions(first: 5) { totalCount edges { node { question kind } } }
		careerRoutes { kind from { title } to { title } } } }`},
	{`query Search { openings(search: "backend developer", first: 20, where: {status: LIVE}) {
		totalCount edges { node { id title skills { name } } } } }`},
	{`query Match($p: ProfileInput!) { match(profile: $p, first: 20) { totalCount
		edges { node { fitScore opening { id title } } } } }`},
}

const createSkill = `mutation($i: CreateSkillInput!) { createSkill(input: $i) { id slug } }`

type counts struct {
	lat                       []time.Duration
	reqs, fivexx, gqlErr      int
	refused, broken, writesOK int
}

type stats struct {
	mu sync.Mutex
	counts
}

func (s *stats) add(d time.Duration, status int, gqlErrors bool, err error, write bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs++
	switch {
	case err != nil && isRefused(err):
		s.refused++
	case err != nil:
		s.broken++
		if s.broken <= 3 {
			fmt.Fprintln(os.Stderr, "opsload: broken:", err)
		}
	case status >= 500:
		s.fivexx++
	case gqlErrors:
		s.gqlErr++
	case write:
		s.writesOK++
	}
	if err == nil && !write {
		s.lat = append(s.lat, d)
	}
}

func (s *stats) take() counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.counts
	s.counts = counts{}
	return out
}

func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

func pct(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	slices.Sort(l)
	return l[min(len(l)-1, int(float64(len(l))*p))]
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18400", "the server")
	conns := flag.Int("conns", 64, "concurrent readers")
	writers := flag.Int("writers", 1, "concurrent writers (need -email and -password of an editor or admin)")
	duration := flag.Duration("duration", time.Minute, "how long")
	interval := flag.Duration("interval", 10*time.Second, "report every")
	email := flag.String("email", "", "editor's email, for the writers")
	password := flag.String("password", "", "editor's password")
	acked := flag.String("acked", "", "file to append acknowledged writes to (id slug)")
	run := flag.String("run", fmt.Sprint(time.Now().Unix()), "tag in the slugs written")
	keepAlive := flag.Bool("keepalive", true, "reuse connections (off: one connection per request, so that a request refused at shutdown is told from one cut in flight)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: *conns + *writers, DisableKeepAlives: !*keepAlive}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	post := func(token, query string, vars map[string]any) (int, map[string]any, error) {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, *base+"/query", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return resp.StatusCode, nil, err
		}
		var out map[string]any
		_ = json.Unmarshal(body, &out)
		return resp.StatusCode, out, nil
	}

	var token string
	if *writers > 0 {
		if *email == "" {
			fmt.Fprintln(os.Stderr, "opsload: -writers needs -email and -password")
			os.Exit(2)
		}
		_, out, err := post("", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
			map[string]any{"e": *email, "p": *password})
		data, _ := out["data"].(map[string]any)
		login, _ := data["login"].(map[string]any)
		token, _ = login["token"].(string)
		if err != nil || token == "" {
			fmt.Fprintf(os.Stderr, "opsload: login failed: %v %v\n", err, out)
			os.Exit(1)
		}
	}
	var ackW *bufio.Writer
	var ackMu sync.Mutex
	if *acked != "" {
		f, err := os.OpenFile(*acked, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "opsload:", err)
			os.Exit(1)
		}
		defer f.Close()
		ackW = bufio.NewWriter(f)
		defer ackW.Flush()
	}

	var cur stats
	var total counts
	var wg sync.WaitGroup
	var seq atomic.Int64
	profile := map[string]any{"skills": []string{"Go", "PostgreSQL", "Docker", "Redis"}, "experienceYears": 3, "city": "Bengaluru"}
	for i := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; ctx.Err() == nil; n++ {
				q := reads[n%len(reads)]
				t := time.Now()
				status, out, err := post("", q.query, map[string]any{"slug": "backend-developer", "p": profile})
				if ctx.Err() != nil && err != nil {
					return // our own deadline, not the server
				}
				cur.add(time.Since(t), status, out["errors"] != nil, err, false)
				if err != nil {
					time.Sleep(20 * time.Millisecond) // a refused server is not hammered
				}
			}
		}()
	}
	for range *writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := seq.Add(1)
				slug := fmt.Sprintf("ops-%s-%d", *run, n)
				t := time.Now()
				status, out, err := post(token, createSkill, map[string]any{"i": map[string]any{
					"slug": slug, "name": "Ops load " + *run + " " + fmt.Sprint(n), "category": "TOOL"}})
				if ctx.Err() != nil && err != nil {
					return
				}
				cur.add(time.Since(t), status, out["errors"] != nil, err, err == nil && status == 200 && out["errors"] == nil)
				if err == nil && status == 200 && out["errors"] == nil && ackW != nil {
					data, _ := out["data"].(map[string]any)
					s, _ := data["createSkill"].(map[string]any)
					ackMu.Lock()
					fmt.Fprintf(ackW, "%v %v\n", s["id"], s["slug"])
					_ = ackW.Flush()
					ackMu.Unlock()
				}
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	start := time.Now()
	report := func(s counts, label string) {
		fmt.Printf("%s reqs=%d 5xx=%d gql_errors=%d refused=%d broken=%d writes_ok=%d p50=%s p99=%s\n", label,
			s.reqs, s.fivexx, s.gqlErr, s.refused, s.broken, s.writesOK,
			pct(s.lat, 0.50).Round(100*time.Microsecond), pct(s.lat, 0.99).Round(100*time.Microsecond))
	}
	merge := func(s counts) {
		total.lat = append(total.lat, s.lat...)
		total.reqs += s.reqs
		total.fivexx += s.fivexx
		total.gqlErr += s.gqlErr
		total.refused += s.refused
		total.broken += s.broken
		total.writesOK += s.writesOK
	}
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	doneC := make(chan struct{})
	go func() { wg.Wait(); close(doneC) }()
loop:
	for {
		select {
		case <-tick.C:
			s := cur.take()
			merge(s)
			report(s, fmt.Sprintf("t=%4.0fs", time.Since(start).Seconds()))
		case <-doneC:
			break loop
		}
	}
	s := cur.take()
	merge(s)
	report(total, "total")
}
