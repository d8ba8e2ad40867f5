//! External identities (OIDC issuer + subject) linked to users. Global: sign-in happens
//! before any org is chosen.

use crate::entity::oidc_identity;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use rapport_domain::UserId;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// The user an identity is linked to, if any; records the sign-in.
pub async fn find_user(
    db: &impl ConnectionTrait,
    issuer: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<UserId>> {
    let found = oidc_identity::Entity::find()
        .filter(oidc_identity::Column::Issuer.eq(issuer))
        .filter(oidc_identity::Column::Subject.eq(subject))
        .one(db)
        .await?;
    let Some(found) = found else { return Ok(None) };
    oidc_identity::Entity::update_many()
        .col_expr(oidc_identity::Column::LastLoginAt, now.into())
        .filter(oidc_identity::Column::Id.eq(found.id))
        .exec(db)
        .await?;
    Ok(Some(UserId::from_uuid(found.user_id)))
}

/// Links an identity to a user.
pub async fn link(
    db: &impl ConnectionTrait,
    user: UserId,
    issuer: &str,
    subject: &str,
    email: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = oidc_identity::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(user.as_uuid()),
        issuer: Set(issuer.to_owned()),
        subject: Set(subject.to_owned()),
        email: Set(email.to_owned()),
        created_at: Set(now),
        last_login_at: Set(now),
    };
    oidc_identity::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
