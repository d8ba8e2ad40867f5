//! Failed sign-in counters per key (an account or an IP address, hashed by the caller), with a
//! lock-out time once a limit is reached. Global: sign-in happens before any org is chosen.

use crate::entity::login_throttle;
use crate::error::StoreResult;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

/// The policy: how many failures within a window lock a key, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed within `window` before locking.
    pub max_failures: i32,
    /// The counting window.
    pub window: Duration,
    /// How long a lock lasts.
    pub lock_for: Duration,
}

/// When a key is locked until, if it is locked now.
pub async fn locked_until(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(login_throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .and_then(|r| r.locked_until)
        .filter(|until| *until > now))
}

/// Counts a failure. Returns the lock's end when this failure locked the key.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    key: &str,
    policy: Policy,
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    let current = login_throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?;
    let (failures, started) = match &current {
        Some(r) if r.window_started_at + policy.window > now => {
            (r.failures + 1, r.window_started_at)
        }
        _ => (1, now),
    };
    let locked_until = (failures >= policy.max_failures).then(|| now + policy.lock_for);
    let model = login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        // A lock restarts the count, so the next failure after it counts from one.
        failures: Set(if locked_until.is_some() { 0 } else { failures }),
        window_started_at: Set(started),
        locked_until: Set(locked_until),
    };
    if current.is_some() {
        login_throttle::Entity::update(model).exec(db).await?;
    } else {
        login_throttle::Entity::insert(model)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(login_throttle::Column::Key)
                    .update_columns([
                        login_throttle::Column::Failures,
                        login_throttle::Column::WindowStartedAt,
                        login_throttle::Column::LockedUntil,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(locked_until)
}

/// Forgets a key's failures (successful sign-in, password reset).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> StoreResult<()> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Removes counters whose window and lock have both passed (periodic sweep).
pub async fn sweep(
    db: &impl ConnectionTrait,
    window_cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::ExprTrait};
    let res = login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lt(window_cutoff))
        .filter(
            login_throttle::Column::LockedUntil
                .is_null()
                .or(login_throttle::Column::LockedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
