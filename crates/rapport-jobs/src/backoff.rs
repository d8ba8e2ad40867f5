//! Retry delays: exponential, capped, with jitter so a burst of failures does not retry in
//! lockstep against a struggling dependency.

use rand::Rng;
use std::time::Duration;

/// Exponential backoff policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay after the first failure.
    pub base: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            max: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// The delay before attempt `attempt + 1`, after `attempt` failures (1-based), without
    /// jitter: `base * 2^(attempt-1)`, capped at `max`.
    pub fn nominal(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        self.base.saturating_mul(1u32 << exp).min(self.max)
    }

    /// The nominal delay with ±20 % jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let nominal = self.nominal(attempt).as_millis() as f64;
        let factor = rand::rng().random_range(0.8..=1.2);
        Duration::from_millis((nominal * factor) as u64).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps() {
        let b = Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(10),
        };
        let secs: Vec<u64> = (1..=6).map(|a| b.nominal(a).as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 10, 10]);
        assert_eq!(b.nominal(u32::MAX), Duration::from_secs(10));
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let b = Backoff {
            base: Duration::from_millis(1000),
            max: Duration::from_secs(60),
        };
        for _ in 0..100 {
            let d = b.delay(3).as_millis();
            assert!((3200..=4800).contains(&d), "{d}");
        }
    }
}
