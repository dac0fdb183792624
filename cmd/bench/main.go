// Command bench measures careergraph's heavy queries against a running server, as a client
// would: each query is sent -n times in a row after -warm warm-up runs, and the median and 95th
// percentile latencies are printed as a Markdown table. The set includes the broad searches
// of issue 9 (common words, with and without status: LIVE, with totalCount). scripts/bench.sh starts a server over a
// generated database, runs this, and reports the server's peak memory.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"
)

type query struct {
	name  string
	query string
	vars  map[string]any
}

var profile = map[string]any{
	"skills":          []string{"Go", "PostgreSQL", "Docker", "Redis", "Kafka", "REST"},
	"experienceYears": 3,
	"city":            "Bengaluru",
}

var queries = []query{
	{"search: keyword + city + skill, first 20", `query Search { openings(search: "golang kubernetes", first: 20,
		where: {status: LIVE, hasLocationWith: {city: "Bengaluru"}, skillsAnyOf: ["Docker"]}) {
		totalCount edges { cursor node { id title skills { name } } } pageInfo { hasNextPage endCursor } } }`, nil},
	{"search: keyword only (contract query)", `query Search { openings(search: "golang kubernetes", first: 20,
		where: {status: LIVE, hasLocationWith: {city: "Bengaluru"}}) {
		totalCount edges { cursor node { id title skills { name } } } pageInfo { hasNextPage endCursor } } }`, nil},
	{"match: 6-skill profile, top 20", `query Match($p: ProfileInput!) { match(profile: $p, first: 20) {
		totalCount pageInfo { hasNextPage endCursor }
		edges { cursor node { fitScore matchedSkills { name } missingSkills { name }
		breakdown { skills experience location salary } opening { id title } } } } }`, map[string]any{"p": profile}},
	{"roleFit", `query Fit($p: ProfileInput!) { roleFit(slug: "backend-developer", profile: $p) {
		score matched { name } missing { name } } }`, map[string]any{"p": profile}},
	{"skillDemand for a role", `query { skillDemand(role: "backend-developer", first: 10) { skill { name } openings share } }`, nil},
	{"salaryInsights", `query { salaryInsights(role: "backend-developer", country: "IN") { currency min p25 median p75 max count } }`, nil},
	{"role page (cluster contract)", `query RolePage($slug: String!) { role(slug: $slug) {
		id slug title aliases summary experienceMinYears experienceMaxYears coreSkills { name members { name } }
		responsibilities { text } requirements { text } faqs { question answer }
		salary(country: "IN") { currency period min max bands { level min max } }
		openings(first: 20, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) {
		  totalCount pageInfo { hasNextPage endCursor }
		  edges { cursor node { id title postedAt company { name } location { city } skills { name } } } }
		interviewQuestions(first: 5) { totalCount edges { node { question kind } } }
		careerRoutes { kind from { title } to { title } } } }`, map[string]any{"slug": "backend-developer"}},
}

// broad are the broad searches of issue 9: one or two common words, with and without the LIVE
// filter, each asking for totalCount.
var broad = func() []query {
	var out []query
	for _, words := range []string{"java", "backend", "developer", "python remote", "python developer"} {
		out = append(out,
			query{fmt.Sprintf("search %q, first 20, totalCount", words), `query($s: String!) { openings(search: $s, first: 20) {
				totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"s": words}},
			query{fmt.Sprintf("search %q + LIVE, first 20, totalCount", words), `query($s: String!) { openings(search: $s, first: 20, where: {status: LIVE}) {
				totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"s": words}})
	}
	return out
}()

const pageQuery = `query Page($after: Cursor) { openings(first: 20, after: $after, where: {status: LIVE},
	orderBy: {field: POSTED_AT, direction: DESC}) { pageInfo { hasNextPage endCursor } edges { cursor node { id title postedAt } } } }`

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/query", "GraphQL endpoint")
	n := flag.Int("n", 30, "measured runs per query")
	warm := flag.Int("warm", 3, "warm-up runs per query")
	deep := flag.Int("page", 500, "the deep page to compare with page 1")
	flag.Parse()
	c := &http.Client{Timeout: 60 * time.Second}
	fmt.Println("| query | median | p95 | runs |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	for _, q := range append(queries, broad...) {
		med, p95 := measure(c, *url, q.query, q.vars, *warm, *n)
		fmt.Printf("| %s | %s | %s | %d |\n", q.name, ms(med), ms(p95), *n)
	}
	// Page 1 against page `deep`: walk to the deep page's cursor first, then time both.
	var cursor any
	for i := 1; i < *deep; i++ {
		var d struct {
			Openings struct {
				PageInfo struct {
					EndCursor string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"openings"`
		}
		do(c, *url, pageQuery, map[string]any{"after": cursor}, &d)
		cursor = d.Openings.PageInfo.EndCursor
	}
	m1, p1 := measure(c, *url, pageQuery, map[string]any{"after": nil}, *warm, *n)
	md, pd := measure(c, *url, pageQuery, map[string]any{"after": cursor}, *warm, *n)
	fmt.Printf("| openings page 1 (20 live, newest first) | %s | %s | %d |\n", ms(m1), ms(p1), *n)
	fmt.Printf("| openings page %d | %s | %s | %d |\n", *deep, ms(md), ms(pd), *n)
	fmt.Printf("\npage %d / page 1 (median): %.2f\n", *deep, float64(md)/float64(m1))
}

func measure(c *http.Client, url, q string, vars map[string]any, warm, n int) (median, p95 time.Duration) {
	for i := 0; i < warm; i++ {
		do(c, url, q, vars, nil)
	}
	ds := make([]time.Duration, n)
	for i := range ds {
		t := time.Now()
		do(c, url, q, vars, nil)
		ds[i] = time.Since(t)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[n/2], ds[(n*95+99)/100-1]
}

// do sends one operation and fails loudly on any GraphQL error: a fast error is no benchmark.
func do(c *http.Client, url, q string, vars map[string]any, dst any) {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 {
		fmt.Fprintf(os.Stderr, "bench: %s: %s\n", q[:min(40, len(q))], raw)
		os.Exit(1)
	}
	if dst != nil {
		_ = json.Unmarshal(r.Data, dst)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
