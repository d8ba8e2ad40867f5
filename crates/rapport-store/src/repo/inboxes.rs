//! Inboxes: one per channel account. The channel secret (an HMAC key, a password) is stored
//! only as vault ciphertext, sealed by the app before it reaches this module.

use crate::entity::inbox;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::ChannelKind;
use rapport_domain::{InboxId, TeamId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxRecord {
    /// Id.
    pub id: InboxId,
    /// Shown to agents.
    pub name: String,
    /// The channel it is connected to.
    pub channel: ChannelKind,
    /// Channel settings that are not secret (host names, the greeting, colours).
    pub settings: serde_json::Value,
    /// The channel secret as vault ciphertext, if the channel has one.
    pub sealed_secret: Option<String>,
    /// The team new conversations go to.
    pub team_id: Option<TeamId>,
    /// How new conversations are assigned (`none`, `round_robin`, `least_loaded`).
    pub auto_assign: String,
    /// Whether a customer's message to a resolved conversation reopens it (otherwise it
    /// starts a new one).
    pub reopen_resolved: bool,
    /// Whether resolving sends a satisfaction survey.
    pub csat_enabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<inbox::Model> for InboxRecord {
    fn from(m: inbox::Model) -> Self {
        Self {
            id: InboxId::from_uuid(m.id),
            name: m.name,
            // The column only ever holds names written by `insert`.
            channel: ChannelKind::parse(&m.channel).unwrap_or(ChannelKind::Api),
            settings: m.settings,
            sealed_secret: m.secret,
            team_id: m.team_id.map(TeamId::from_uuid),
            auto_assign: m.auto_assign,
            reopen_resolved: m.reopen_resolved,
            csat_enabled: m.csat_enabled,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn model(scope: OrgScope, r: &InboxRecord) -> inbox::ActiveModel {
    inbox::ActiveModel {
        id: Set(r.id.as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(r.name.clone()),
        channel: Set(r.channel.as_str().to_owned()),
        settings: Set(r.settings.clone()),
        secret: Set(r.sealed_secret.clone()),
        team_id: Set(r.team_id.map(|t| t.as_uuid())),
        auto_assign: Set(r.auto_assign.clone()),
        reopen_resolved: Set(r.reopen_resolved),
        csat_enabled: Set(r.csat_enabled),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

/// Stores a new inbox. A taken name is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &InboxRecord,
) -> StoreResult<()> {
    inbox::Entity::insert(model(scope, r))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes every column of `r` (the id and creation time stay).
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &InboxRecord,
) -> StoreResult<()> {
    let res = inbox::Entity::update_many()
        .set(model(scope, r))
        .filter(inbox::Column::OrgId.eq(scope.uuid()))
        .filter(inbox::Column::Id.eq(r.id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One inbox of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: InboxId,
) -> StoreResult<InboxRecord> {
    inbox::Entity::find()
        .filter(inbox::Column::OrgId.eq(scope.uuid()))
        .filter(inbox::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// The org's inboxes by name.
pub async fn list(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<InboxRecord>> {
    Ok(inbox::Entity::find()
        .filter(inbox::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(inbox::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Deletes an inbox; its conversations, messages and receipts go with it.
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: InboxId) -> StoreResult<()> {
    let res = inbox::Entity::delete_many()
        .filter(inbox::Column::OrgId.eq(scope.uuid()))
        .filter(inbox::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
