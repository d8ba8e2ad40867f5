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
    };
    let model = user::Entity::insert(model).exec_with_returning(db).await?;
    Ok(UserRecord::from(&model))
}

/// Finds a user by email, with the password hash, for sign-in. Global by nature.
pub async fn find_for_login(
    db: &impl ConnectionTrait,
    email: &Email,
) -> StoreResult<Option<(UserRecord, Option<String>)>> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    Ok(found.map(|m| (UserRecord::from(&m), m.password_hash)))
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
