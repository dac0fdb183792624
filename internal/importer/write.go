package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/careergraph/careergraph/internal/pgseq"
	"github.com/careergraph/careergraph/internal/search"

	"github.com/careergraph/careergraph/ent"
)

// chunkTx is one chunk's transaction: an ent transaction, or on PostgreSQL with Options.SQL a
// database/sql transaction (COPY needs one) with an ent client over it.
type chunkTx struct {
	client *ent.Client
	ent    *ent.Tx
	sql    *sql.Tx
}

func (im *Importer) begin(ctx context.Context) (*chunkTx, error) {
	if !im.copyOpenings() {
		tx, err := im.client.Tx(ctx)
		if err != nil {
			return nil, err
		}
		return &chunkTx{client: tx.Client(), ent: tx}, nil
	}
	tx, err := im.opts.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &chunkTx{client: im.opts.TxClient(dialect.Postgres, tx), sql: tx}, nil
}

func (t *chunkTx) commit() error {
	if t.ent != nil {
		return t.ent.Commit()
	}
	return t.sql.Commit()
}

func (t *chunkTx) rollback() error {
	if t.ent != nil {
		return t.ent.Rollback()
	}
	return t.sql.Rollback()
}

// skillLinks are the skills an opening is linked to (the opening_skills rows written for
// it), in the order found. The one place both write paths (COPY and ent; creates and
// updates) take an opening's links from.
func skillLinks(r row) []int {
	ids := make([]int, len(r.skills))
	for i, s := range r.skills {
		ids[i] = s.ID
	}
	return ids
}

// createOpenings writes new openings and their skill links: with COPY on PostgreSQL (ids
// reserved from the openings sequence first, so that the links can name them), else with
// ent's bulk create in parts of 100.
//
// The COPY path returns the new openings' ids: it writes past the graph client's hooks, so the
// caller tells Options.Written about them once the chunk commits.
func (im *Importer) createOpenings(ctx context.Context, tx *chunkTx, rows []row) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	if tx.sql == nil {
		for part := range slices.Chunk(rows, 100) {
			bs := make([]*ent.OpeningCreate, len(part))
			for i, r := range part {
				bs[i] = im.create(tx.client, r)
			}
			if err := tx.client.Opening.CreateBulk(bs...).Exec(ctx); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	ids, err := pgseq.ReserveIDs(ctx, tx.sql, "openings", len(rows))
	if err != nil {
		return nil, err
	}
	stmt, err := tx.sql.PrepareContext(ctx, pq.CopyIn("openings", "id", "created_at", "updated_at", "source", "external_id",
		"title", "description", "description_html", "url", "applicant_location_requirements", "content_hash",
		"role_id", "company_id", "location_id", "work_mode", "employment_type", "experience_min_years",
		"experience_max_years", "salary_min", "salary_max", "salary_currency", "salary_period",
		"posted_at", "valid_through", "status", "skill_count", "search_text", "search_vector"))
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	now := time.Now()
	for i, r := range rows {
		d := r.p.d
		alr, err := json.Marshal(d.ApplicantLocations)
		if err != nil {
			return nil, err
		}
		// The search vector, built here rather than parsed by PostgreSQL (search.Vector); NULL
		// has the database's trigger compute it.
		var vec any
		if v, ok := search.Vector(r.doc, string(r.status), r.location, r.roleID, ids[i]); ok {
			vec = v
		}
		var smin, smax, cur, per any
		if d.SalaryMin != nil {
			smin, smax, cur, per = *d.SalaryMin, *d.SalaryMax, d.SalaryCurrency, string(d.SalaryPeriod)
		}
		if _, err := stmt.ExecContext(ctx, ids[i], now, now, im.source, d.ExternalID, d.Title, d.Description,
			d.DescriptionHTML, truncate(d.URL, 2000), string(alr), r.hash, nullInt(r.roleID), r.company, nullInt(r.location),
			string(d.WorkMode), string(d.EmploymentType), d.ExpMin, nullInt(d.ExpMax), smin, smax, cur, per,
			d.PostedAt, nullTime(d.ValidThrough), string(r.status), len(r.skills), r.doc, vec); err != nil {
			return nil, err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return nil, err
	}
	if err := stmt.Close(); err != nil {
		return nil, err
	}
	return ids, copySkillLinks(ctx, tx.sql, ids, rows)
}

// copySkillLinks COPYs the opening_skills rows of new openings (ids[i] is rows[i]'s id), each
// with its essential flag (row.preferred).
func copySkillLinks(ctx context.Context, tx *sql.Tx, ids []int64, rows []row) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("opening_skills", "opening_id", "skill_id", "essential"))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, r := range rows {
		for _, s := range skillLinks(r) {
			if _, err := stmt.ExecContext(ctx, ids[i], s, !slices.Contains(r.preferred, s)); err != nil {
				return err
			}
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	return stmt.Close()
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullTime(p *time.Time) any {
	if p == nil {
		return nil
	}
	return *p
}

func (im *Importer) create(c *ent.Client, r row) *ent.OpeningCreate {
	d := r.p.d
	b := c.Opening.Create().SetSource(im.source).SetExternalID(d.ExternalID).SetTitle(d.Title).
		SetDescription(d.Description).SetDescriptionHTML(d.DescriptionHTML).SetURL(truncate(d.URL, 2000)).
		SetApplicantLocationRequirements(d.ApplicantLocations).SetContentHash(r.hash).
		SetNillableRoleID(r.roleID).SetCompanyID(r.company).SetNillableLocationID(r.location).
		SetWorkMode(d.WorkMode).SetEmploymentType(d.EmploymentType).SetExperienceMinYears(d.ExpMin).
		SetNillableExperienceMaxYears(d.ExpMax).SetPostedAt(d.PostedAt).SetNillableValidThrough(d.ValidThrough).
		SetStatus(r.status).SetSkillCount(len(r.skills)).SetSearchText(r.doc).AddSkillIDs(skillLinks(r)...)
	if d.SalaryMin != nil {
		b.SetSalaryMin(*d.SalaryMin).SetSalaryMax(*d.SalaryMax).SetSalaryCurrency(d.SalaryCurrency).SetSalaryPeriod(d.SalaryPeriod)
	}
	return b
}
