package live

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// QueueSize bounds the messages waiting to be sent. Past it a message is dropped and the next
// one sent says Resync, so that receivers catch up with the database instead.
const QueueSize = 4096

// Bus fans messages out to this process's handlers and, on PostgreSQL, to every process
// listening on the same schema's channel. Publish never blocks and never fails: fan-out is
// best effort on top of the database, which stays the truth (see README "Live updates").
type Bus struct {
	log      *slog.Logger
	queue    chan Message
	lost     atomic.Bool
	dropped  atomic.Int64
	handleMu sync.RWMutex
	handlers []func(Message)
	// published are called with every message this process publishes, at once (Publish).
	published []func(Message)

	// PostgreSQL only.
	pool     *sql.DB
	channel  string
	listener *pq.Listener

	ctx    context.Context
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// NewLocal returns a bus that delivers messages in this process only (SQLite, tests).
func NewLocal(log *slog.Logger) *Bus {
	b := newBus(log)
	b.start()
	return b
}

func newBus(log *slog.Logger) *Bus {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Bus{log: log, queue: make(chan Message, QueueSize), ctx: ctx, cancel: cancel}
}

// Channel is the notification channel of the database schema pool's connections use:
// careergraph_live_<schema>, or a hash of the schema's name when that would be longer than
// PostgreSQL's 63-byte identifiers allow. Replicas on one schema share it; other schemas on the
// same server (parallel test runs) do not hear it.
func Channel(ctx context.Context, pool *sql.DB) (string, error) {
	var schema string
	if err := pool.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return "", fmt.Errorf("live: current schema: %w", err)
	}
	const prefix = "careergraph_live_"
	if len(prefix)+len(schema) <= 63 && plainName.MatchString(schema) {
		return prefix + schema, nil
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(schema))
	return prefix + hex.EncodeToString(h.Sum(nil)), nil
}

var plainName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// NewPostgres returns a bus that sends messages with pg_notify on pool's schema channel and,
// when listen is set, receives that channel's messages (its own included) on a connection of
// its own made from dsn (lib/pq's Listener, which reconnects by itself; after a reconnect the
// handlers get a Resync message, as notifications sent meanwhile are lost). A process that
// only writes (`careergraph worker`) does not listen.
func NewPostgres(ctx context.Context, pool *sql.DB, dsn string, listen bool, log *slog.Logger) (*Bus, error) {
	ch, err := Channel(ctx, pool)
	if err != nil {
		return nil, err
	}
	b := newBus(log)
	b.pool, b.channel = pool, ch
	if listen {
		l := pq.NewListener(dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
			if err != nil {
				b.log.Warn("live: listener", "event", ev, "err", err)
			}
		})
		if err := l.Listen(ch); err != nil {
			_ = l.Close()
			b.cancel()
			return nil, fmt.Errorf("live: LISTEN %s: %w", ch, err)
		}
		b.listener = l
		b.done.Add(1)
		go b.receive()
	}
	b.start()
	return b, nil
}

// ChannelName is the PostgreSQL channel ("" in process).
func (b *Bus) ChannelName() string { return b.channel }

// Handle adds fn to the handlers every message received is given to, in order, on one
// goroutine: fn must return quickly.
func (b *Bus) Handle(fn func(Message)) {
	b.handleMu.Lock()
	b.handlers = append(b.handlers, fn)
	b.handleMu.Unlock()
}

// OnPublish adds fn to what every message this process publishes is given to, synchronously
// in Publish, before it travels: a process's own caches must not wait for the notification to
// come back (a client that wrote reads its write at once). fn must return quickly.
func (b *Bus) OnPublish(fn func(Message)) {
	b.handleMu.Lock()
	b.published = append(b.published, fn)
	b.handleMu.Unlock()
}

// Publish queues m for sending. It never blocks: when the queue is full the message is
// dropped (and counted) and the next one sent carries Resync.
func (b *Bus) Publish(m Message) {
	if b == nil || m.Empty() {
		return
	}
	b.handleMu.RLock()
	for _, fn := range b.published {
		fn(m)
	}
	b.handleMu.RUnlock()
	select {
	case b.queue <- m:
	default:
		b.dropped.Add(1)
		b.lost.Store(true)
	}
}

// Dropped is how many messages the full queue has dropped.
func (b *Bus) Dropped() int64 { return b.dropped.Load() }

// Close sends what is queued (within a few seconds) and stops listening.
func (b *Bus) Close() {
	if b == nil {
		return
	}
	b.cancel()
	if b.listener != nil {
		_ = b.listener.Close()
	}
	b.done.Wait()
}

func (b *Bus) start() {
	b.done.Add(1)
	go b.send()
}

// send takes queued messages, merging those already waiting, and sends them.
func (b *Bus) send() {
	defer b.done.Done()
	for {
		var m Message
		select {
		case m = <-b.queue:
		case <-b.ctx.Done():
			// Send what is left, so that changes committed just before shutdown still go out.
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			for {
				select {
				case m := <-b.queue:
					b.out(ctx, m)
					continue
				default:
				}
				break
			}
			cancel()
			return
		}
		for n := 0; n < 256; n++ {
			select {
			case more := <-b.queue:
				m.merge(more)
				continue
			default:
			}
			break
		}
		if b.lost.Swap(false) {
			m.Resync = true
		}
		b.out(b.ctx, m.compact())
	}
}

// out sends m: to the handlers in process, or as notifications on PostgreSQL.
func (b *Bus) out(ctx context.Context, m Message) {
	if b.pool == nil {
		b.deliver(m)
		return
	}
	for _, p := range split(m, MaxPayload) {
		if _, err := b.pool.ExecContext(context.WithoutCancel(ctx), "SELECT pg_notify($1, $2)", b.channel, string(p)); err != nil {
			// The database is unreachable: other replicas will see the change at their next
			// read or rebuild; this one's subscribers still hear it.
			b.log.Warn("live: notify", "err", err)
			var local Message
			_ = json.Unmarshal(p, &local)
			if b.listener != nil {
				b.deliver(local)
			}
		}
	}
}

// receive hands the channel's notifications to the handlers.
func (b *Bus) receive() {
	defer b.done.Done()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case n, ok := <-b.listener.Notify:
			if !ok {
				return
			}
			if n == nil {
				// Reconnected: what was sent meanwhile is lost.
				b.deliver(Message{Resync: true})
				continue
			}
			var m Message
			if err := json.Unmarshal([]byte(n.Extra), &m); err != nil {
				b.log.Warn("live: bad notification", "err", err)
				continue
			}
			b.deliver(m)
		case <-ping.C:
			go func() { _ = b.listener.Ping() }()
		case <-b.ctx.Done():
			return
		}
	}
}

func (b *Bus) deliver(m Message) {
	b.handleMu.RLock()
	hs := b.handlers
	b.handleMu.RUnlock()
	for _, h := range hs {
		h(m)
	}
}
