package main

import (
	"context"
	"log/slog"

	"entgo.io/ent/dialect"

	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/live"
)

// startLive starts the fan-out of changes for db (internal/live) and installs the hook that
// publishes them: LISTEN/NOTIFY on PostgreSQL, in process on SQLite. A process that serves no
// subscriptions (`careergraph worker`, `import`) publishes without listening.
func startLive(ctx context.Context, cfg config.Config, db *database.DB, listen bool, log *slog.Logger) (*live.Bus, error) {
	var bus *live.Bus
	if db.Dialect == dialect.Postgres {
		var err error
		if bus, err = live.NewPostgres(ctx, db.SQL, cfg.DatabaseURL, listen, log); err != nil {
			return nil, err
		}
		log.Info("live updates", "fanout", "postgres", "channel", bus.ChannelName(), "listen", listen)
	} else {
		bus = live.NewLocal(log)
	}
	live.Install(db.Client, bus)
	return bus, nil
}
