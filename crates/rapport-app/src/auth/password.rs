//! Password hashing with Argon2id at the OWASP-recommended parameters (19 MiB memory,
//! 2 iterations, parallelism 1), stored in PHC string format so parameters can be raised later
//! and old hashes still verify.

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

/// Checks `candidate` against a stored PHC hash. A malformed hash never matches.
pub async fn verify(candidate: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = stored.parse::<PasswordHash>() else {
            return false;
        };
        hasher()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
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
}
