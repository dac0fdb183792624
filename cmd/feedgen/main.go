// Command feedgen writes a deterministic, realistic JSON Lines feed of schema.org JobPostings
// to stdout, for the import benchmark (scripts/bench-import.sh): varied titles (most of them
// classify to a seed role, some do not), employers, Indian cities, HTML descriptions of 1-2 KB
// with skills in prose, lists and tables, pay on 60% of postings in several units, and
// validThrough on most.
//
//	go run ./cmd/feedgen -n 20000 > feed.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

var (
	titles = []string{"Senior Backend Engineer (Java)", "SDE II – Backend", "Server-side Developer", "Frontend Developer",
		"React Developer", "Full Stack Engineer", "DevOps Engineer - AWS", "Site Reliability Engineer", "Data Scientist - Machine Learning",
		"Data Engineer", "Android Developer", "iOS Engineer", "QA Automation Engineer", "SDET", "Product Manager",
		"Golang Developer", "Python Developer", "ML Engineer", "Cloud Engineer", "Software Engineer", "Sales Manager", "UI/UX Designer"}
	companies = []string{"Acme Pvt. Ltd.", "Stackmanthan Technologies", "Globex India", "Initech Software", "Umbrella Health",
		"Hooli Labs", "Vandelay Imports", "Wayne Fintech", "Stark Analytics", "Tyrell Cloud", "Cyberdyne Systems", "Soylent Foods"}
	cities = []string{"Bangalore", "Bengaluru", "Gurgaon", "Mumbai", "Bombay", "Pune", "Hyderabad", "Chennai", "New Delhi", "Noida", "Kolkata", "Ahmedabad"}
	skills = []string{"Go", "Java", "JavaScript", "TypeScript", "Python", "PostgreSQL", "MySQL", "Kubernetes", "Docker", "AWS",
		"React", "Node.js", "Kafka", "Redis", "Spring Boot", "REST APIs", "GraphQL", "Terraform", "Linux", "Git", "CI/CD",
		"Selenium", "Kotlin", "Swift", "TensorFlow", "PyTorch", "SQL", "Spark", "Airflow", "Figma"}
	units = []string{"YEAR", "YEAR", "YEAR", "MONTH", "HOUR"}
	types = []string{"FULL_TIME", "FULL_TIME", "FULL_TIME", "CONTRACTOR", "PART_TIME", "INTERN"}
)

func main() {
	n := flag.Int("n", 20000, "postings")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 7))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	enc := json.NewEncoder(w)
	epoch := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range *n {
		pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
		var sk []string
		for range 3 + r.IntN(5) {
			sk = append(sk, pick(skills))
		}
		company := pick(companies)
		title := pick(titles)
		var d strings.Builder
		fmt.Fprintf(&d, "<p>%s is hiring a <b>%s</b> to build and run the services behind our products. You will work with %s and %s every day.</p>",
			company, title, sk[0], sk[1])
		d.WriteString("<h3>Requirements</h3><ul>")
		for _, s := range sk[2:] {
			fmt.Fprintf(&d, "<li>Hands-on experience with %s in production</li>", s)
		}
		fmt.Fprintf(&d, "<li>%d+ years of experience</li></ul>", 1+r.IntN(8))
		d.WriteString("<h3>Nice to have</h3><table><tr><td>Tooling</td><td>" + pick(skills) + ", " + pick(skills) + "</td></tr></table>")
		d.WriteString("<p>We offer flexible hours, health insurance for your family, a learning budget and a friendly team that reviews code with care. " +
			"Our engineering culture values ownership, writing things down and shipping small changes often.</p>")
		posted := epoch.AddDate(0, 0, -r.IntN(30))
		p := map[string]any{
			"@context": "https://schema.org/", "@type": "JobPosting",
			"title": title, "description": d.String(),
			"identifier":         map[string]any{"@type": "PropertyValue", "name": company, "value": fmt.Sprintf("JOB-%d-%d", *seed, i)},
			"datePosted":         posted.Format("2006-01-02"),
			"hiringOrganization": map[string]any{"@type": "Organization", "name": company, "sameAs": "https://" + strings.ToLower(strings.Fields(company)[0]) + ".example.com"},
			"employmentType":     pick(types),
			"url":                fmt.Sprintf("https://jobs.example.com/%d/%d", *seed, i),
		}
		if r.IntN(10) < 8 {
			p["validThrough"] = posted.AddDate(0, 2, 0).Format(time.RFC3339)
		}
		if r.IntN(10) < 2 {
			p["jobLocationType"] = "TELECOMMUTE"
			p["applicantLocationRequirements"] = map[string]any{"@type": "Country", "name": "India"}
		} else {
			p["jobLocation"] = map[string]any{"@type": "Place", "address": map[string]any{"@type": "PostalAddress",
				"addressLocality": pick(cities), "addressCountry": "IN"}}
		}
		if r.IntN(10) < 6 {
			unit := pick(units)
			base := map[string]float64{"YEAR": 800000, "MONTH": 70000, "HOUR": 500}[unit]
			lo := base * (1 + r.Float64())
			p["baseSalary"] = map[string]any{"@type": "MonetaryAmount", "currency": "INR",
				"value": map[string]any{"@type": "QuantitativeValue", "minValue": int(lo), "maxValue": int(lo * 1.4), "unitText": unit}}
		}
		if r.IntN(2) == 0 {
			p["skills"] = strings.Join(sk[:2], ", ")
		}
		if err := enc.Encode(p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
