//! Users. Lookups by email are global because signing in happens before an org is chosen.

use crate::entity::user;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use rapport_domain::{DisplayName, Email, TimeZoneName, UserId};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// A user as the app sees it (the password hash stays inside the store and the auth module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Id.
    pub id: UserId,
    /// Normalized email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// IANA time zone for rendering dates.
    pub time_zone: String,
    /// BCP 47 locale for UI text and formats.
    pub locale: String,
}

impl From<&user::Model> for UserRecord {
    fn from(m: &user::Model) -> Self {
        Self {
            id: UserId::from_uuid(m.id),
            email: m.email.clone(),
            name: m.name.clone(),
            time_zone: m.time_zone.clone(),
            locale: m.locale.clone(),
        }
    }
}

/// Fields of a new user.
pub struct NewUser<'a> {
    /// Id.
    pub id: UserId,
    /// Email (unique).
    pub email: &'a Email,
    /// Display name.
    pub name: &'a DisplayName,
    /// PHC-format password hash, if the user has a password.
    pub password_hash: Option<String>,
    /// Time zone.
    pub time_zone: &'a TimeZoneName,
    /// Locale.
    pub locale: &'a str,
}

/// Inserts a user. A taken email is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
    now: DateTime<Utc>,
) -> StoreResult<UserRecord> {
    let model = user::ActiveModel {
        id: Set(new.id.as_uuid()),
        email: Set(new.email.as_str().to_owned()),
        name: Set(new.name.as_str().to_owned()),
        password_hash: Set(new.password_hash),
        time_zone: Set(new.time_zone.as_str().to_owned()),
        locale: Set(new.locale.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = user::Entity::insert(model).exec_with_returning(db).await?;
    Ok(UserRecord::from(&model))
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    /// The user.
    pub user: UserRecord,
    /// PHC (Argon2id) or bcrypt (`$2b$…`, imported accounts) hash, if any.
    pub password_hash: Option<String>,
    /// The sealed TOTP seed, when TOTP is enabled.
    pub totp_secret: Option<String>,
}

impl From<user::Model> for LoginRecord {
    fn from(m: user::Model) -> Self {
        Self {
            user: UserRecord::from(&m),
            password_hash: m.password_hash,
            totp_secret: m.totp_enabled_at.and(m.totp_secret),
        }
    }
}

/// Finds a user by email, with credentials, for sign-in. Global by nature.
pub async fn find_for_login(
    db: &impl ConnectionTrait,
    email: &Email,
) -> StoreResult<Option<LoginRecord>> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    Ok(found.map(Into::into))
}

/// Loads a user with credentials by id (second sign-in step, password change).
pub async fn get_for_login(db: &impl ConnectionTrait, id: UserId) -> StoreResult<LoginRecord> {
    user::Entity::find_by_id(id.as_uuid())
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// The sealed TOTP seed being enrolled or in use, and whether enrolment was confirmed.
pub async fn totp_state(
    db: &impl ConnectionTrait,
    id: UserId,
) -> StoreResult<(Option<String>, Option<DateTime<Utc>>)> {
    let m = user::Entity::find_by_id(id.as_uuid())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((m.totp_secret, m.totp_enabled_at))
}

/// Stores a sealed TOTP seed; `enabled_at` is set once the user confirmed a code.
/// `None` for both removes TOTP.
pub async fn set_totp(
    db: &impl ConnectionTrait,
    id: UserId,
    sealed_secret: Option<String>,
    enabled_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = user::ActiveModel {
        id: Set(id.as_uuid()),
        totp_secret: Set(sealed_secret),
        totp_enabled_at: Set(enabled_at),
        updated_at: Set(now),
        ..Default::default()
    };
    user::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Changes a user's password (change or reset): records when, so older links die.
pub async fn change_password(
    db: &impl ConnectionTrait,
    id: UserId,
    hash: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = user::ActiveModel {
        id: Set(id.as_uuid()),
        password_hash: Set(Some(hash)),
        password_changed_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    user::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Updates a user's own profile fields.
pub async fn update_profile(
    db: &impl ConnectionTrait,
    id: UserId,
    name: &DisplayName,
    time_zone: &TimeZoneName,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = user::ActiveModel {
        id: Set(id.as_uuid()),
        name: Set(name.as_str().to_owned()),
        time_zone: Set(time_zone.as_str().to_owned()),
        updated_at: Set(now),
        ..Default::default()
    };
    user::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Loads a user by id.
pub async fn get(db: &impl ConnectionTrait, id: UserId) -> StoreResult<UserRecord> {
    user::Entity::find_by_id(id.as_uuid())
        .one(db)
        .await?
        .map(|m| UserRecord::from(&m))
        .ok_or(StoreError::NotFound)
}

/// Replaces a user's password hash (rehash on login, password change).
pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    id: UserId,
    hash: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = user::ActiveModel {
        id: Set(id.as_uuid()),
        password_hash: Set(Some(hash)),
        updated_at: Set(now),
        ..Default::default()
    };
    user::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Records an accepted TOTP step if it is newer than the last one. False means the code was
/// already used (replay) — the conditional update makes this race-free.
pub async fn accept_totp_step(
    db: &impl ConnectionTrait,
    id: UserId,
    step: i64,
) -> StoreResult<bool> {
    use sea_orm::sea_query::ExprTrait;
    let res = user::Entity::update_many()
        .col_expr(user::Column::TotpLastStep, Some(step).into())
        .filter(user::Column::Id.eq(id.as_uuid()))
        .filter(
            user::Column::TotpLastStep
                .is_null()
                .or(user::Column::TotpLastStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
