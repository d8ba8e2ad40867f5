//! Small shared helpers: randomness from the operating system, the AES-256-GCM primitive with
//! its `nonce || ciphertext || tag` layout, and the text encodings used in stored values.

use aes_gcm::aead::{AeadInOut, Nonce, Tag};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{VaultError, VaultResult};

/// AES-256-GCM with a 96-bit nonce. The `zeroize` feature of `aes-gcm` wipes the expanded AES
/// key schedule and the GHASH key when a cipher is dropped.
pub(crate) type Cipher = aes_gcm::Aes256Gcm;

/// Bytes of a GCM nonce.
pub(crate) const NONCE_LEN: usize = 12;
/// Bytes of a GCM authentication tag.
pub(crate) const TAG_LEN: usize = 16;

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn fill_random(buf: &mut [u8]) -> VaultResult<()> {
    OsRng.try_fill_bytes(buf).map_err(|_| VaultError::Random)
}

/// Encrypts `plaintext` under a fresh random nonce; returns `nonce || ciphertext || tag`.
pub(crate) fn encrypt(cipher: &Cipher, plaintext: &[u8], aad: &[u8]) -> VaultResult<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    // Reserve everything up front so the buffer never reallocates while it holds plaintext.
    let mut buf = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    buf.extend_from_slice(&nonce);
    buf.extend_from_slice(plaintext);
    match cipher.encrypt_inout_detached(
        &Nonce::<Cipher>::from(nonce),
        aad,
        (&mut buf[NONCE_LEN..]).into(),
    ) {
        Ok(tag) => {
            buf.extend_from_slice(&tag);
            Ok(buf)
        }
        Err(_) => {
            buf.zeroize();
            Err(VaultError::TooLarge)
        }
    }
}

/// Reverses [`encrypt`]. The plaintext buffer is wiped when dropped.
pub(crate) fn decrypt(
    cipher: &Cipher,
    sealed: &[u8],
    aad: &[u8],
) -> VaultResult<Zeroizing<Vec<u8>>> {
    let Some(body_len) = sealed.len().checked_sub(NONCE_LEN + TAG_LEN) else {
        return Err(VaultError::bad_format(
            "ciphertext",
            "shorter than nonce and tag",
        ));
    };
    let (nonce, rest) = sealed.split_at(NONCE_LEN);
    let (body, tag) = rest.split_at(body_len);
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| VaultError::WrongKeyOrTampered)?;
    let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| VaultError::WrongKeyOrTampered)?;
    let mut buf = Zeroizing::new(body.to_vec());
    cipher
        .decrypt_inout_detached(
            &Nonce::<Cipher>::from(nonce),
            aad,
            buf.as_mut_slice().into(),
            &Tag::<Cipher>::from(tag),
        )
        .map_err(|_| VaultError::WrongKeyOrTampered)?;
    Ok(buf)
}

/// Unpadded base64url, the encoding of binary parts of stored text values.
pub(crate) fn b64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; `what` names the value in the error.
pub(crate) fn b64url_decode(text: &str, what: &'static str) -> VaultResult<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| VaultError::bad_format(what, "invalid base64url"))
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
