// Package accounts holds the rules of users and tokens: logging in (with throttling and the
// same answer for unknown emails and wrong passwords), changing passwords, checking bearer
// tokens, making and revoking tokens, and creating the first admin at start. Passwords and
// tokens are handled by internal/auth; this package decides what to do with them.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/apitoken"
	"github.com/careergraph/careergraph/ent/user"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/ratelimit"
)

// Login throttling counts failed attempts (a wrong password, an unknown email, a disabled
// account) per LoginWindow, under three keys; the client is viewer.ClientKey (an IPv4
// address or an IPv6 /64):
//
//   - per (account, client) pair: after LoginFailuresPerPair failures that client may not try
//     that account again until the window ends;
//   - per client: after LoginFailuresPerClient failures, over any accounts, that client may not
//     log in at all;
//   - per account: after LoginFailuresPerAccount failures from anywhere, the account is under
//     attack, and every client that has already failed on it is refused. A client with no
//     failure on it, such as the owner at home, still logs in. So the account-wide limit cannot
//     lock the owner out; it cuts an attacker with many addresses from LoginFailuresPerPair
//     guesses per address to one.
//
// The budgets are read before the password is checked and charged after it fails, so
// concurrent guesses can overshoot a budget by the number of hashes in flight, which the hash
// gate bounds.
const (
	LoginFailuresPerPair    = 5
	LoginFailuresPerClient  = 20
	LoginFailuresPerAccount = 50
	LoginWindow             = 15 * time.Minute
)

// DefaultTokenMaxLifetime is the longest a service token may live when the Service does not
// set TokenMaxLifetime (API_TOKEN_MAX_LIFETIME): a year.
const DefaultTokenMaxLifetime = 365 * 24 * time.Hour

// MaxEmailBytes is the longest email address accepted (RFC 5321's path limit less the
// brackets), checked before anything else looks at it.
const MaxEmailBytes = 254

// SessionTTL is how long a token made by login lives.
const SessionTTL = 12 * time.Hour

// lastUsedEvery bounds how often a token's last_used_at is written: at most once a minute, so
// that a busy service token does not turn every read into a write.
const lastUsedEvery = time.Minute

// CodeRateLimited is the extensions.code of a throttled login (and of a request over its
// rate-limit budget).
const CodeRateLimited = "RATE_LIMITED"

// Errors clients see.
var (
	// ErrBadCredentials is the one answer to a wrong email or password or a disabled user.
	ErrBadCredentials = &apperr.Error{Code: apperr.CodeUnauthorized, Message: "wrong email or password"}
	// ErrInvalidToken is the answer to an unknown, expired or revoked bearer token.
	ErrInvalidToken = &apperr.Error{Code: apperr.CodeUnauthorized,
		Message: "the bearer token is unknown, expired or revoked: log in again or ask an admin for a new token"}
)

// ErrHashBusy answers a request that needs a password hash while HashQueue requests already
// wait for one: retrying in a moment is the fix, so it is RATE_LIMITED.
var ErrHashBusy = &apperr.Error{Code: CodeRateLimited,
	Message: "the server is busy checking other passwords; try again in 1 second"}

// Service implements the account rules over an ent client.
type Service struct {
	Hasher *auth.Hasher
	// Limiter throttles logins; keys are prefixed "login:".
	Limiter ratelimit.Store
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// TokenMaxLifetime is the longest expiry a service token may be given
	// (API_TOKEN_MAX_LIFETIME); 0 means DefaultTokenMaxLifetime.
	TokenMaxLifetime time.Duration
	// HashConcurrency is how many argon2 hashes may run at once; 0 means one per CPU
	// (GOMAXPROCS). Each hash takes 64 MiB and a core for about a tenth of a second, so more
	// at once would only queue on the CPUs while holding memory.
	HashConcurrency int
	// HashQueue is how many requests may wait for a hash slot; one more is refused at once
	// with ErrHashBusy rather than piling up. 0 means 8 per slot.
	HashQueue int

	gateOnce sync.Once
	gate     *hashGate
	// onHash, when set (by tests), runs in the hash slot before each hash.
	onHash func()
}

// hashGate bounds concurrent hashes and the queue for them.
type hashGate struct {
	sem        *semaphore.Weighted
	waiting    atomic.Int64
	maxWaiting int64
}

// hashing runs fn, which hashes or verifies a password, when a hash slot is free. Waiting
// honours ctx (a request past its deadline stops waiting); a full queue is ErrHashBusy.
func (s *Service) hashing(ctx context.Context, fn func()) error {
	s.gateOnce.Do(func() {
		n := s.HashConcurrency
		if n <= 0 {
			n = runtime.GOMAXPROCS(0)
		}
		q := s.HashQueue
		if q <= 0 {
			q = 8 * n
		}
		s.gate = &hashGate{sem: semaphore.NewWeighted(int64(n)), maxWaiting: int64(q)}
	})
	g := s.gate
	if !g.sem.TryAcquire(1) {
		if g.waiting.Add(1) > g.maxWaiting {
			g.waiting.Add(-1)
			return ErrHashBusy
		}
		err := g.sem.Acquire(ctx, 1)
		g.waiting.Add(-1)
		if err != nil {
			return err
		}
	}
	defer g.sem.Release(1)
	if s.onHash != nil {
		s.onHash()
	}
	fn()
	return nil
}

// hash is Hasher.Hash through the hash gate.
func (s *Service) hash(ctx context.Context, password string) (h string, err error) {
	if gerr := s.hashing(ctx, func() { h, err = s.Hasher.Hash(password) }); gerr != nil {
		return "", gerr
	}
	return h, err
}

func (s *Service) tokenMaxLifetime() time.Duration {
	if s.TokenMaxLifetime > 0 {
		return s.TokenMaxLifetime
	}
	return DefaultTokenMaxLifetime
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// NormalizeEmail is the form emails are stored and looked up in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidateEmail normalises email and checks its length and shape: at most MaxEmailBytes, a
// plain address (local@domain, local part at most 64 bytes, no display name, comments or
// angle brackets). The length is checked first, so nothing longer is ever parsed, throttled
// or looked up. A bad email is BAD_USER_INPUT naming field.
func ValidateEmail(field, email string) (string, error) {
	if len(email) > MaxEmailBytes+64 { // room for surrounding spaces, which are trimmed
		return "", apperr.BadInput(field, "%s: longer than %d bytes; send an email address", field, MaxEmailBytes)
	}
	email = NormalizeEmail(email)
	if len(email) > MaxEmailBytes {
		return "", apperr.BadInput(field, "%s: longer than %d bytes; send an email address", field, MaxEmailBytes)
	}
	a, err := mail.ParseAddress(email)
	local, domain, _ := strings.Cut(email, "@")
	if err != nil || a.Address != email || a.Name != "" || len(local) > 64 || !strings.Contains(domain, ".") ||
		strings.ContainsAny(email, " \t\r\n<>()[],;:\"") {
		return "", apperr.BadInput(field, "%s: not an email address; send one such as name@example.com", field)
	}
	return email, nil
}

// Session is a token just made: plain is shown to the client once.
type Session struct {
	Token string
	Row   *ent.APIToken
	User  *ent.User
}

// Login checks email and password and makes a SESSION token. client is the client's key
// for throttling (viewer.ClientKey). read serves the reads that come before the password
// check and must not be bound to the mutation's transaction: transactions begin at their first
// statement (internal/database), so nothing holds a pool connection while the password is
// hashed. write, which the caller may bind to a transaction, takes the writes after it.
func (s *Service) Login(ctx context.Context, read, write *ent.Client, email, password, client string) (*Session, error) {
	email, err := ValidateEmail("email", email)
	if err != nil {
		return nil, err
	}
	if err := s.checkLoginBudgets(ctx, email, client); err != nil {
		return nil, err
	}
	u, err := read.User.Query().Where(user.Email(email)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	ok, err := s.verify(ctx, u, password)
	if err != nil {
		return nil, err
	}
	if !ok || u.Disabled {
		if err := s.chargeLoginFailure(ctx, email, client); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	if s.Hasher.NeedsRehash(u.PasswordHash) {
		if h, err := s.hash(ctx, password); err == nil {
			if u, err = write.User.UpdateOne(u).SetPasswordHash(h).Save(ctx); err != nil {
				return nil, err
			}
		}
	}
	plain, row, err := s.issue(ctx, write, u.ID, "login", apitoken.KindSESSION, s.now().Add(SessionTTL))
	if err != nil {
		return nil, err
	}
	return &Session{Token: plain, Row: row, User: u}, nil
}

// verify checks password against u's hash through the hash gate. For a missing user or an
// over-long password it does the same work on a dummy hash, so that timing does not tell which
// emails have accounts.
func (s *Service) verify(ctx context.Context, u *ent.User, password string) (ok bool, err error) {
	gerr := s.hashing(ctx, func() {
		switch {
		case len(password) > auth.MaxPasswordBytes:
			s.Hasher.DummyVerify("")
		case u == nil:
			s.Hasher.DummyVerify(password)
		default:
			ok, err = s.Hasher.Verify(password, u.PasswordHash)
		}
	})
	if gerr != nil {
		return false, gerr
	}
	if errors.Is(err, auth.ErrMalformedHash) {
		return false, nil
	}
	return ok, err
}

func loginKeys(email, client string) (pair, perClient, account string) {
	return "login:pair:" + email + "|" + client, "login:client:" + client, "login:account:" + email
}

// checkLoginBudgets refuses a login whose (account, client) or client budget of failures is
// spent, or whose account is under attack when this client has failed on it before (see
// LoginFailuresPerAccount). It charges nothing.
func (s *Service) checkLoginBudgets(ctx context.Context, email, client string) error {
	pairKey, clientKey, accountKey := loginKeys(email, client)
	peek := func(key string, limit int) (ratelimit.Result, error) {
		res, err := s.Limiter.Take(ctx, key, 0, limit, LoginWindow)
		if err != nil {
			return res, fmt.Errorf("accounts: login throttle: %w", err)
		}
		return res, nil
	}
	pair, err := peek(pairKey, LoginFailuresPerPair)
	if err != nil {
		return err
	}
	if pair.Remaining == 0 {
		return throttled(pair)
	}
	perClient, err := peek(clientKey, LoginFailuresPerClient)
	if err != nil {
		return err
	}
	if perClient.Remaining == 0 {
		return throttled(perClient)
	}
	if pair.Used > 0 {
		account, err := peek(accountKey, LoginFailuresPerAccount)
		if err != nil {
			return err
		}
		if account.Remaining == 0 {
			return throttled(account)
		}
	}
	return nil
}

// chargeLoginFailure counts a failed login against all three budgets.
func (s *Service) chargeLoginFailure(ctx context.Context, email, client string) error {
	pairKey, clientKey, accountKey := loginKeys(email, client)
	for _, k := range []struct {
		key   string
		limit int
	}{{pairKey, LoginFailuresPerPair}, {clientKey, LoginFailuresPerClient}, {accountKey, LoginFailuresPerAccount}} {
		if _, err := s.Limiter.Take(ctx, k.key, 1, k.limit, LoginWindow); err != nil {
			return fmt.Errorf("accounts: login throttle: %w", err)
		}
	}
	return nil
}

func throttled(res ratelimit.Result) error {
	retry := max(int(time.Until(res.ResetAt).Seconds())+1, 1)
	return &apperr.Error{Code: CodeRateLimited,
		Message: fmt.Sprintf("too many failed login attempts; try again in %d seconds", retry)}
}

// ChangePassword sets a new password for the signed-in user userID after checking the current
// one, and revokes every SESSION token of the user except keep (the token the request carries;
// 0 for none), so that whoever else held a session of the old password is signed out. SERVICE
// tokens are left alone: an admin made them for a machine, with their own expiry, and they are
// revoked one by one (or all at once by disabling the user). A wrong current password counts
// as a failed login of this client on the account (and is throttled like one), so a stolen
// session cannot be used to guess the password. read and write are as for Login. It returns
// the number of sessions revoked.
func (s *Service) ChangePassword(ctx context.Context, read, write *ent.Client, userID, keep int, current, next, client string) (int, error) {
	u, err := read.User.Get(ctx, userID)
	if err != nil {
		return 0, err
	}
	if err := s.checkLoginBudgets(ctx, u.Email, client); err != nil {
		return 0, err
	}
	ok, err := s.verify(ctx, u, current)
	if err != nil {
		return 0, err
	}
	if !ok {
		if err := s.chargeLoginFailure(ctx, u.Email, client); err != nil {
			return 0, err
		}
		return 0, apperr.BadInput("currentPassword", "currentPassword: that is not your current password")
	}
	if next == current {
		return 0, apperr.BadInput("newPassword", "newPassword: choose a password other than the current one")
	}
	if err := auth.ValidatePassword(next); err != nil {
		return 0, apperr.BadInput("newPassword", "newPassword: %v", err)
	}
	h, err := s.hash(ctx, next)
	if err != nil {
		return 0, err
	}
	if err := write.User.UpdateOneID(userID).SetPasswordHash(h).Exec(ctx); err != nil {
		return 0, err
	}
	return s.RevokeSessions(ctx, write, userID, keep)
}

// RevokeSessions revokes every live SESSION token of userID except keep (0: all of them) and
// returns how many it revoked. SERVICE tokens are kept (see ChangePassword).
func (s *Service) RevokeSessions(ctx context.Context, client *ent.Client, userID, keep int) (int, error) {
	return client.APIToken.Update().Where(
		apitoken.UserID(userID), apitoken.KindEQ(apitoken.KindSESSION), apitoken.RevokedAtIsNil(), apitoken.IDNEQ(keep),
	).SetRevokedAt(s.now()).Save(ctx)
}

// CreateServiceToken makes a SERVICE token acting as userID.
func (s *Service) CreateServiceToken(ctx context.Context, client *ent.Client, userID int, name string, expiresAt time.Time) (*Session, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, apperr.BadInput("input.name", "name: say what the token is for")
	}
	if !expiresAt.After(s.now()) {
		return nil, apperr.BadInput("input.expiresAt", "expiresAt: must be in the future")
	}
	// Refused rather than clamped: a token quietly dying earlier than its owner planned would
	// break an integration without warning.
	if latest := s.now().Add(s.tokenMaxLifetime()); expiresAt.After(latest) {
		return nil, apperr.BadInput("input.expiresAt",
			"expiresAt: a token may live at most %s (API_TOKEN_MAX_LIFETIME); send a time no later than %s",
			s.tokenMaxLifetime(), latest.UTC().Format(time.RFC3339))
	}
	u, err := client.User.Get(ctx, userID)
	if ent.IsNotFound(err) {
		return nil, apperr.BadInput("input.userID", "userID: no such user")
	}
	if err != nil {
		return nil, err
	}
	plain, row, err := s.issue(ctx, client, u.ID, name, apitoken.KindSERVICE, expiresAt)
	if err != nil {
		return nil, err
	}
	return &Session{Token: plain, Row: row, User: u}, nil
}

func (s *Service) issue(ctx context.Context, client *ent.Client, userID int, name string, kind apitoken.Kind, expiresAt time.Time) (string, *ent.APIToken, error) {
	plain, hash, err := auth.NewToken()
	if err != nil {
		return "", nil, err
	}
	row, err := client.APIToken.Create().SetTokenHash(hash).SetName(name).SetKind(kind).
		SetUserID(userID).SetExpiresAt(expiresAt).Save(ctx)
	return plain, row, err
}

// Authenticate finds the live token plain names and its user. An unknown, expired or revoked
// token, or one of a disabled user, is ErrInvalidToken.
func (s *Service) Authenticate(ctx context.Context, client *ent.Client, plain string) (*ent.APIToken, *ent.User, error) {
	if !auth.LooksLikeToken(plain) {
		return nil, nil, ErrInvalidToken
	}
	tok, err := client.APIToken.Query().Where(apitoken.TokenHash(auth.HashToken(plain))).WithUser().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if tok.RevokedAt != nil || !now.Before(tok.ExpiresAt) || tok.Edges.User == nil || tok.Edges.User.Disabled {
		return nil, nil, ErrInvalidToken
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > lastUsedEvery {
		// Best effort: a failure to record use must not fail the request.
		_ = client.APIToken.UpdateOneID(tok.ID).SetLastUsedAt(now).Exec(ctx)
	}
	return tok, tok.Edges.User, nil
}

// Revoke ends a token now; revoking a revoked token keeps its first revocation time.
func (s *Service) Revoke(ctx context.Context, client *ent.Client, id int) (*ent.APIToken, error) {
	tok, err := client.APIToken.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if tok.RevokedAt != nil {
		return tok, nil
	}
	return tok.Update().SetRevokedAt(s.now()).Save(ctx)
}

// CreateUser validates and stores a new user. field prefixes the field names in errors.
func (s *Service) CreateUser(ctx context.Context, client *ent.Client, email, name, password string, role user.Role) (*ent.User, error) {
	email, err := ValidateEmail("input.email", email)
	if err != nil {
		return nil, err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return nil, apperr.BadInput("input.password", "password: %v", err)
	}
	if n, err := client.User.Query().Where(user.Email(email)).Count(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, apperr.BadInput("input.email", "email: %s already has an account", email)
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	return client.User.Create().SetEmail(email).SetName(name).SetPasswordHash(h).SetRole(role).Save(ctx)
}

// SetPassword validates a new password for the user upd updates and sets its hash there. The
// caller revokes the user's sessions once the update is saved (RevokeSessions).
func (s *Service) SetPassword(ctx context.Context, upd *ent.UserUpdateOne, password string) error {
	if err := auth.ValidatePassword(password); err != nil {
		return apperr.BadInput("input.password", "password: %v", err)
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	upd.SetPasswordHash(h)
	return nil
}

// BootstrapAdmin creates the first admin from CAREERGRAPH_ADMIN_EMAIL and
// CAREERGRAPH_ADMIN_PASSWORD when no user has that email; an existing account is left as it
// is (its password is not reset). created reports whether it made one.
func (s *Service) BootstrapAdmin(ctx context.Context, client *ent.Client, email, password string) (created bool, err error) {
	email = NormalizeEmail(email)
	if email == "" {
		return false, nil
	}
	n, err := client.User.Query().Where(user.Email(email)).Count(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	if _, err := s.CreateUser(ctx, client, email, "", password, user.RoleADMIN); err != nil {
		if ae, ok := apperr.As(err); ok {
			return false, fmt.Errorf("first admin: %s", ae.Message)
		}
		return false, fmt.Errorf("first admin: %w", err)
	}
	return true, nil
}
