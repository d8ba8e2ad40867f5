//! The account an ID token names. The token comes straight from the provider's token endpoint
//! over TLS, in answer to our authenticated request, so OIDC Core 3.1.3.7 lets TLS stand in for
//! the signature check; its audience and expiry are still checked, so a token minted for
//! another client or long ago is not taken.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// How far the provider's clock may be ahead of ours.
const SKEW_SECONDS: i64 = 300;

/// The email address (Google: `email`; Microsoft: `email`, else `preferred_username`) of a
/// token issued to `client_id` that has not expired at `now`.
pub(crate) fn account(token: &str, client_id: &str, now: DateTime<Utc>) -> Result<String, String> {
    let payload = token.split('.').nth(1).ok_or("the ID token is not a JWT")?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| "the ID token's claims are not base64url")?;
    let claims: Value =
        serde_json::from_slice(&bytes).map_err(|_| "the ID token's claims are not JSON")?;
    let audience_ok = match &claims["aud"] {
        Value::String(a) => a == client_id,
        Value::Array(all) => all.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !audience_ok {
        return Err("the ID token was issued to another client".into());
    }
    let exp = claims["exp"].as_i64().ok_or("the ID token has no expiry")?;
    if exp + SKEW_SECONDS < now.timestamp() {
        return Err("the ID token has expired".into());
    }
    ["email", "preferred_username"]
        .iter()
        .filter_map(|k| claims[*k].as_str())
        .find(|v| v.contains('@'))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| "the ID token names no email address".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jwt(claims: &Value) -> String {
        let enc = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.sig",
            enc(br#"{"alg":"RS256"}"#),
            enc(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn the_account_comes_from_a_live_token_for_this_client() {
        let now = Utc::now();
        let exp = now.timestamp() + 600;
        let google = jwt(&json!({ "aud": "c1", "exp": exp, "email": "Ana@Example.com" }));
        assert_eq!(account(&google, "c1", now).unwrap(), "ana@example.com");
        let microsoft =
            jwt(&json!({ "aud": ["c1"], "exp": exp, "preferred_username": "bo@corp.test" }));
        assert_eq!(account(&microsoft, "c1", now).unwrap(), "bo@corp.test");
        assert!(
            account(&google, "c2", now).is_err(),
            "another client's token"
        );
        let old = jwt(&json!({ "aud": "c1", "exp": now.timestamp() - 3600, "email": "a@b.c" }));
        assert!(account(&old, "c1", now).is_err(), "expired");
        assert!(account("nonsense", "c1", now).is_err());
        let nameless = jwt(&json!({ "aud": "c1", "exp": exp, "preferred_username": "bo" }));
        assert!(account(&nameless, "c1", now).is_err());
    }
}
