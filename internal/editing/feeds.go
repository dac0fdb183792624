package editing

import (
	"context"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/feedsource"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/importer"
)

// ---- FeedSource: registered job feeds the importer refreshes on a schedule

// CreateFeedSource registers a feed whose URL the importer may fetch and whose name is free.
func CreateFeedSource(ctx context.Context, c *ent.Client, input ent.CreateFeedSourceInput) (*ent.FeedSource, error) {
	if err := checkFeed(ctx, c, 0, input.URL, input.Name); err != nil {
		return nil, err
	}
	return c.FeedSource.Create().SetInput(input).Save(ctx)
}

// UpdateFeedSource changes a feed; the URL and name it ends up with are checked as on create.
func UpdateFeedSource(ctx context.Context, c *ent.Client, id int, input ent.UpdateFeedSourceInput) (*ent.FeedSource, error) {
	f, err := c.FeedSource.Get(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "id", id)
	}
	url, name := f.URL, f.Name
	if input.URL != nil {
		url = *input.URL
	}
	if input.Name != nil {
		name = *input.Name
	}
	if err := checkFeed(ctx, c, id, url, name); err != nil {
		return nil, err
	}
	return c.FeedSource.UpdateOneID(id).SetInput(input).Save(ctx)
}

// DeleteFeedSource removes a feed; the openings it imported stay.
func DeleteFeedSource(ctx context.Context, c *ent.Client, id int) error {
	return notFoundAs(c.FeedSource.DeleteOneID(id).Exec(ctx), "id", id)
}

// checkFeed validates a feed's URL (importer.CheckURL: http(s), no private addresses unless
// allowed) and its name (unique) as BAD_USER_INPUT errors naming the input field.
func checkFeed(ctx context.Context, c *ent.Client, id int, url, name string) error {
	if _, _, err := importer.CheckURL(url, &name); err != nil {
		if e, ok := apperr.As(err); ok {
			// CheckURL speaks of importOpenings' arguments; a feed's source is its name.
			field, msg := e.Field, e.Message
			if field == "source" {
				field, msg = "name", "name"+strings.TrimPrefix(msg, "source")
			}
			return apperr.BadInput("input."+field, "input.%s", msg)
		}
		return err
	}
	return Unique(ctx, "input.name", name, c.FeedSource.Query().Where(feedsource.Name(name), feedsource.IDNEQ(id)).Count)
}
