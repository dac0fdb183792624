// Package auth holds the credential primitives for user accounts: password hashing with
// argon2id, the password policy, and opaque API tokens.
//
// Passwords are stored only as argon2id hashes in the PHC string format
// ($argon2id$v=19$m=<KiB>,t=<iterations>,p=<threads>$<salt>$<hash>), which carries its own
// parameters, so the cost can be raised later without invalidating stored hashes: verify with
// the parameters found in the string and re-hash on the next successful login when
// [Hasher.NeedsRehash] says so.
//
// A login for an unknown email must cost as much as a wrong password, or response times tell
// an attacker which emails have accounts; [Hasher.DummyVerify] exists for that branch.
//
// API tokens are random strings shown to their owner once; only their SHA-256 is stored, so a
// leaked database does not hand out working tokens. A fast hash is enough there because the
// tokens carry 256 bits of entropy and cannot be guessed the way passwords can.
package auth
