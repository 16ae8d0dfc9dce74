//! Secret links: with a secret, every page is served only at `/s/TOKEN/NAME`, where TOKEN
//! is HMAC-SHA256(secret, NAME) cut to 128 bits, in hex.
//!
//! A token opens one page and says nothing about the others, so a member can be given
//! their own feed's address without being able to guess the team's; changing the secret
//! revokes every address at once. The tokens are derived, not stored: nothing to keep in
//! sync when feeds come and go. A wrong token is compared in constant time and answered
//! like any missing page.

use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::config::limits;
use crate::error::Error;

/// Below this a secret could be guessed; `openssl rand -hex 32` gives 64 characters.
const MIN_SECRET_BYTES: usize = 16;
/// Bytes of the HMAC kept in a token: 128 bits, 32 hex digits.
const TOKEN_BYTES: usize = 16;

pub(super) const SECRET_FILE_VAR: &str = "ROTA_SERVE_SECRET_FILE";
pub(super) const SECRET_VAR: &str = "ROTA_SERVE_SECRET";

/// The server's secret. Its `Debug` does not show it.
#[derive(Clone)]
pub(super) struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Where the secret comes from: `--secret-file`, else `ROTA_SERVE_SECRET_FILE`, else
/// `ROTA_SERVE_SECRET` (the secret itself). `var` reads the environment.
pub(super) fn load(
    flag: Option<&Path>,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<Secret>, Error> {
    let file = flag
        .map(|p| (p.to_path_buf(), "--secret-file"))
        .or_else(|| var(SECRET_FILE_VAR).map(|p| (PathBuf::from(p), SECRET_FILE_VAR)));
    if let Some((path, from)) = file {
        let bytes =
            limits::read_bytes(&path, limits::SECRET_FILE).map_err(|e| Error::reading(&path, e))?;
        return Secret::new(&bytes)
            .map(Some)
            .map_err(|why| Error::Usage(format!("{from} {}: {why}", path.display())));
    }
    match var(SECRET_VAR) {
        Some(value) => Secret::new(value.as_bytes())
            .map(Some)
            .map_err(|why| Error::Usage(format!("{SECRET_VAR}: {why}"))),
        None => Ok(None),
    }
}

impl Secret {
    /// The secret with surrounding whitespace (a file's final newline) removed.
    pub(super) fn new(bytes: &[u8]) -> Result<Secret, String> {
        let secret = bytes.trim_ascii();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the secret is {} bytes; use at least {MIN_SECRET_BYTES} random bytes, \
                 e.g. `openssl rand -hex 32 > FILE`",
                secret.len()
            ));
        }
        Ok(Secret(secret.to_vec()))
    }

    /// The token of the page `name` (`team.ics`, `now.json`, `index.html`).
    pub(super) fn token(&self, name: &str) -> String {
        self.mac(name)[..TOKEN_BYTES]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `token` opens `name`, compared in constant time.
    pub(super) fn admits(&self, token: &str, name: &str) -> bool {
        self.token(name).as_bytes().ct_eq(token.as_bytes()).into()
    }

    fn mac(&self, name: &str) -> Vec<u8> {
        // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return Vec::new();
        };
        mac.update(name.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new(b"0123456789abcdef0123456789abcdef\n").expect("long enough")
    }

    #[test]
    fn tokens_are_per_page_128_bit_hex_and_follow_the_secret() {
        let s = secret();
        let team = s.token("team.ics");
        assert_eq!(team.len(), 32);
        assert!(team.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(team, s.token("team.ics"));
        assert_ne!(team, s.token("ana.ics"));
        let other = Secret::new(b"another secret of enough bytes").expect("long enough");
        assert_ne!(team, other.token("team.ics"));
        // HMAC-SHA256 with key "key" and message "The quick brown fox jumps over the lazy
        // dog" is f7bc83f430538424b13298e6aa6fb143ef4d59a1…; the token is its first half.
        let known = Secret(b"key".to_vec());
        assert_eq!(
            known.token("The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143"
        );
    }

    #[test]
    fn only_the_right_token_opens_a_page() {
        let s = secret();
        let team = s.token("team.ics");
        assert!(s.admits(&team, "team.ics"));
        assert!(!s.admits(&team, "ana.ics"));
        assert!(!s.admits(&team[..31], "team.ics"));
        assert!(!s.admits(&team.to_uppercase(), "team.ics"));
        assert!(!s.admits("", "team.ics"));
    }

    #[test]
    fn short_secrets_are_refused_and_sources_have_an_order() {
        assert!(Secret::new(b"  short \n").is_err());
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("secret");
        std::fs::write(&file, "from-the-file-0123456789\n").expect("write");
        let env_file = file.to_str().expect("utf-8").to_string();
        let vars = |k: &str| match k {
            SECRET_FILE_VAR => Some(env_file.clone()),
            SECRET_VAR => Some("from-the-variable-0123456789".to_string()),
            _ => None,
        };
        let token = |s: Option<Secret>| s.expect("a secret").token("x");
        let from_file = Secret::new(b"from-the-file-0123456789").expect("ok");
        let from_var = Secret::new(b"from-the-variable-0123456789").expect("ok");
        assert_eq!(
            token(load(None, vars).expect("loads")),
            from_file.token("x")
        );
        assert_eq!(
            token(
                load(None, |k| (k == SECRET_VAR)
                    .then(|| "from-the-variable-0123456789".into()))
                .expect("loads")
            ),
            from_var.token("x")
        );
        assert!(load(None, |_| None).expect("no secret").is_none());
        let err = load(Some(&dir.path().join("missing")), |_| None).expect_err("unreadable");
        assert!(matches!(err, Error::Read { .. }));
        std::fs::write(&file, "short").expect("write");
        let err = load(Some(&file), |_| None).expect_err("too short");
        assert!(err.to_string().contains("at least 16"), "{err}");
    }
}
