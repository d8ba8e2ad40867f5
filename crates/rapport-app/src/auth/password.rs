//! Password hashing with Argon2id at the OWASP-recommended parameters (19 MiB memory,
//! 2 iterations, parallelism 1), stored in PHC string format so parameters can be raised later
//! and old hashes still verify. bcrypt hashes (`$2a$`/`$2b$`/`$2y$`, from imported accounts)
//! verify too, and are replaced with Argon2id at the next successful sign-in.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use rapport_domain::Password;

/// OWASP Password Storage Cheat Sheet, Argon2id option 2: m = 19456 KiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password that met the policy. Runs on a blocking thread: it costs ~20 ms of CPU.
pub async fn hash(password: Password) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let hash: PasswordHash = hasher()
            .hash_password(password.expose().as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(hash.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Wrong password (or an unreadable hash).
    No,
    /// Right, and the hash is current.
    Yes,
    /// Right, but the hash is bcrypt or weaker Argon2 parameters: store a new hash.
    YesRehash,
}

impl Verified {
    /// Whether the password matched.
    pub fn ok(self) -> bool {
        self != Self::No
    }
}

const CURRENT_PARAMS: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// Checks `candidate` against a stored hash (Argon2 PHC or bcrypt). A malformed hash never
/// matches.
pub async fn check(candidate: String, stored: String) -> Verified {
    tokio::task::spawn_blocking(move || {
        if stored.starts_with("$2a$") || stored.starts_with("$2b$") || stored.starts_with("$2y$") {
            return match bcrypt::verify(candidate.as_bytes(), &stored) {
                Ok(true) => Verified::YesRehash,
                _ => Verified::No,
            };
        }
        let Ok(parsed) = stored.parse::<PasswordHash>() else {
            return Verified::No;
        };
        if hasher()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_err()
        {
            Verified::No
        } else if stored.starts_with(CURRENT_PARAMS) {
            Verified::Yes
        } else {
            Verified::YesRehash
        }
    })
    .await
    .unwrap_or(Verified::No)
}

/// Checks `candidate` against a stored hash.
pub async fn verify(candidate: String, stored: String) -> bool {
    check(candidate, stored).await.ok()
}

/// A hash of a random password, verified against when the account does not exist, so sign-in
/// takes the same time either way and does not reveal which emails have accounts.
pub async fn dummy_verify(candidate: String) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2i1Bv8CP7oE4GfMVrVqB2xbR2z1jV7VCi3hF0k4ZMg8";
    let _ = verify(candidate, DUMMY.to_owned()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let h = hash(Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong horse battery".into(), h).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }

    #[tokio::test]
    async fn bcrypt_hashes_verify_and_ask_for_a_rehash() {
        let bcrypt = bcrypt::hash("imported password", 4).unwrap();
        assert_eq!(
            check("imported password".into(), bcrypt.clone()).await,
            Verified::YesRehash
        );
        assert_eq!(check("wrong".into(), bcrypt).await, Verified::No);
        let current = hash(Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert_eq!(
            check("correct horse battery".into(), current).await,
            Verified::Yes
        );
    }
}
