//! [`WrappedKey`]: a data key encrypted under a key-encryption key, as stored in the database.

use std::fmt;
use std::str::FromStr;

use crate::error::{VaultError, VaultResult};
use crate::util::{b64url_decode, b64url_encode};

const TEXT_PREFIX: &str = "v1:";
const WHAT: &str = "wrapped key";

/// A [`DataKey`](crate::DataKey) wrapped by the key-encryption key named `kek_id`.
///
/// Its text form, for a database column, is `v1:<kek_id>:<base64url without padding>`
/// ([`Display`](fmt::Display) and [`FromStr`]). A KEK id may itself contain `:` (KMS key ARNs
/// do); the ciphertext is everything after the last `:`.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Id of the key-encryption key that wrapped it ([`KekProvider::id`](crate::KekProvider::id)).
    pub kek_id: String,
    /// The provider-specific wrapped form (for [`LocalKek`](crate::LocalKek):
    /// `nonce || ciphertext || tag`).
    pub ciphertext: Vec<u8>,
}

impl fmt::Display for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{TEXT_PREFIX}{}:{}",
            self.kek_id,
            b64url_encode(&self.ciphertext)
        )
    }
}

impl FromStr for WrappedKey {
    type Err = VaultError;

    fn from_str(text: &str) -> VaultResult<Self> {
        let rest = text
            .strip_prefix(TEXT_PREFIX)
            .ok_or_else(|| VaultError::bad_format(WHAT, "expected prefix \"v1:\""))?;
        let (kek_id, body) = rest
            .rsplit_once(':')
            .ok_or_else(|| VaultError::bad_format(WHAT, "expected v1:<kek_id>:<ciphertext>"))?;
        if kek_id.is_empty() || kek_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(VaultError::bad_format(WHAT, "empty or unprintable key id"));
        }
        let ciphertext = b64url_decode(body, WHAT)?;
        if ciphertext.is_empty() {
            return Err(VaultError::bad_format(WHAT, "empty ciphertext"));
        }
        Ok(Self {
            kek_id: kek_id.to_owned(),
            ciphertext,
        })
    }
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey")
            .field("kek_id", &self.kek_id)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let wrapped = WrappedKey {
            kek_id: "local-0123456789abcdef".into(),
            ciphertext: vec![0xfb, 0xff, 1, 2, 3],
        };
        let text = wrapped.to_string();
        assert_eq!(text, "v1:local-0123456789abcdef:-_8BAgM");
        assert_eq!(text.parse::<WrappedKey>().unwrap(), wrapped);
    }

    #[test]
    fn kek_id_may_contain_colons() {
        let wrapped = WrappedKey {
            kek_id: "arn:aws:kms:eu-west-1:123456789012:key/abc".into(),
            ciphertext: vec![1; 40],
        };
        assert_eq!(wrapped.to_string().parse::<WrappedKey>().unwrap(), wrapped);
    }

    #[test]
    fn malformed_is_typed() {
        for bad in [
            "",
            "v1:",
            "v2:local-1:AAAA",
            "v1:AAAA",
            "v1::AAAA",
            "v1:a b:AAAA",
            "v1:local-1:",
            "v1:local-1:***",
        ] {
            assert!(
                matches!(bad.parse::<WrappedKey>(), Err(VaultError::BadFormat { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_is_short() {
        let wrapped = WrappedKey {
            kek_id: "local-1".into(),
            ciphertext: vec![0xab; 60],
        };
        assert_eq!(
            format!("{wrapped:?}"),
            "WrappedKey { kek_id: \"local-1\", ciphertext_len: 60 }"
        );
    }
}
