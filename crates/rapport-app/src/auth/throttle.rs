//! Sign-in throttling: failures are counted per account (keyed by a hash of the email, so
//! unknown emails are throttled exactly like real ones and the answer reveals nothing) and
//! per client IP; a key that reaches its limit within the window is locked for a while.

use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::Duration;
use rapport_store::repo::throttle::{self, Policy};
use sha2::{Digest, Sha256};

/// The throttle keys of one sign-in attempt.
pub(crate) struct Keys {
    account: String,
    ip: Option<String>,
}

impl Keys {
    /// Keys for an attempt on `email` from `ip`.
    pub(crate) fn new(email: &str, ip: Option<&str>) -> Self {
        let normalized = email.trim().to_lowercase();
        Self {
            account: format!(
                "acct:{}",
                hex::encode(Sha256::digest(normalized.as_bytes()))
            ),
            ip: ip.map(|ip| format!("ip:{ip}")),
        }
    }
}

fn minutes(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::minutes(15))
}

impl App {
    fn policy(&self, per_ip: bool) -> Policy {
        let c = self.config();
        Policy {
            max_failures: if per_ip {
                c.max_failures_per_ip
            } else {
                c.max_failures_per_account
            },
            window: minutes(c.throttle_window),
            lock_for: minutes(c.lockout),
        }
    }

    /// Refuses the attempt when the account or the IP is locked.
    pub(crate) async fn check_throttle(&self, keys: &Keys) -> AppResult<()> {
        let now = self.clock().now();
        let conn = self.db().conn();
        let mut until = throttle::locked_until(conn, &keys.account, now).await?;
        if let Some(ip) = &keys.ip {
            until = until.max(throttle::locked_until(conn, ip, now).await?);
        }
        match until {
            // Rounded up, so that a client waiting `Retry-After` seconds finds the lock over.
            Some(until) => Err(AppError::Throttled {
                retry_after_secs: ((until - now).num_microseconds().unwrap_or(i64::MAX).max(1)
                    as u64)
                    .div_ceil(1_000_000),
            }),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt. Returns true when it locked the account.
    pub(crate) async fn record_failed_attempt(&self, keys: &Keys) -> AppResult<bool> {
        let now = self.clock().now();
        let conn = self.db().conn();
        let locked = throttle::record_failure(conn, &keys.account, self.policy(false), now)
            .await?
            .is_some();
        if let Some(ip) = &keys.ip {
            throttle::record_failure(conn, ip, self.policy(true), now).await?;
        }
        Ok(locked)
    }

    /// Forgets an account's failures after a successful sign-in or a password reset.
    pub(crate) async fn clear_failed_attempts(&self, email: &str) -> AppResult<()> {
        throttle::clear(self.db().conn(), &Keys::new(email, None).account).await?;
        Ok(())
    }
}
