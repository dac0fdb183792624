// Package accounts holds the rules of users and tokens: logging in (with throttling and the
// same answer for unknown emails and wrong passwords), checking bearer tokens, making and
// revoking tokens, and creating the first admin at start. Passwords and tokens are handled by
// internal/auth; this package decides what to do with them.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/apitoken"
	"github.com/careergraph/careergraph/ent/user"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/ratelimit"
)

// Login throttling: attempts, successful or not, per account and per client address.
const (
	LoginAttemptsPerAccount = 5
	LoginAttemptsPerIP      = 20
	LoginWindow             = 15 * time.Minute
)

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

// Service implements the account rules over an ent client.
type Service struct {
	Hasher *auth.Hasher
	// Limiter throttles logins; keys are prefixed "login:".
	Limiter ratelimit.Store
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// NormalizeEmail is the form emails are stored and looked up in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Session is a token just made: plain is shown to the client once.
type Session struct {
	Token string
	Row   *ent.APIToken
	User  *ent.User
}

// Login checks email and password and makes a SESSION token. ip is the client's address for
// throttling. Writes go through client, which the caller may have bound to a transaction.
func (s *Service) Login(ctx context.Context, client *ent.Client, email, password, ip string) (*Session, error) {
	email = NormalizeEmail(email)
	for _, k := range []struct {
		key   string
		limit int
	}{{"login:account:" + email, LoginAttemptsPerAccount}, {"login:ip:" + ip, LoginAttemptsPerIP}} {
		res, err := s.Limiter.Take(ctx, k.key, 1, k.limit, LoginWindow)
		if err != nil {
			return nil, fmt.Errorf("accounts: login throttle: %w", err)
		}
		if !res.Allowed {
			retry := max(int(time.Until(res.ResetAt).Seconds())+1, 1)
			return nil, &apperr.Error{Code: CodeRateLimited,
				Message: fmt.Sprintf("too many login attempts; try again in %d seconds", retry)}
		}
	}
	if len(password) > auth.MaxPasswordBytes {
		s.Hasher.DummyVerify("")
		return nil, ErrBadCredentials
	}
	u, err := client.User.Query().Where(user.Email(email)).Only(ctx)
	if ent.IsNotFound(err) {
		// Same work as a real check, so timing does not tell which emails have accounts.
		s.Hasher.DummyVerify(password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := s.Hasher.Verify(password, u.PasswordHash)
	if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
		return nil, err
	}
	if !ok || u.Disabled {
		return nil, ErrBadCredentials
	}
	if s.Hasher.NeedsRehash(u.PasswordHash) {
		if h, err := s.Hasher.Hash(password); err == nil {
			if u, err = u.Update().SetPasswordHash(h).Save(ctx); err != nil {
				return nil, err
			}
		}
	}
	plain, row, err := s.issue(ctx, client, u.ID, "login", apitoken.KindSESSION, s.now().Add(SessionTTL))
	if err != nil {
		return nil, err
	}
	return &Session{Token: plain, Row: row, User: u}, nil
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
	email = NormalizeEmail(email)
	if !strings.Contains(email, "@") || len(email) > 254 {
		return nil, apperr.BadInput("input.email", "email: %q is not an email address", email)
	}
	if err := auth.ValidatePassword(password); err != nil {
		return nil, apperr.BadInput("input.password", "password: %v", err)
	}
	if n, err := client.User.Query().Where(user.Email(email)).Count(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, apperr.BadInput("input.email", "email: %s already has an account", email)
	}
	h, err := s.Hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	return client.User.Create().SetEmail(email).SetName(name).SetPasswordHash(h).SetRole(role).Save(ctx)
}

// SetPassword validates and stores a new password for u.
func (s *Service) SetPassword(upd *ent.UserUpdateOne, password string) error {
	if err := auth.ValidatePassword(password); err != nil {
		return apperr.BadInput("input.password", "password: %v", err)
	}
	h, err := s.Hasher.Hash(password)
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
