//! CSAT surveys. Written and read per conversation org-scoped; the public survey page finds a
//! survey by its link's digest alone (a bearer link, like an invitation), which is why
//! [`by_digest`] is global and returns the org with it.

use crate::entity::csat_survey as survey;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{ConversationId, OrgId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A stored survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRecord {
    /// Id.
    pub id: uuid::Uuid,
    /// Its org.
    pub org_id: OrgId,
    /// The conversation rated.
    pub conversation_id: ConversationId,
    /// Sent.
    pub created_at: DateTime<Utc>,
    /// The link works until then.
    pub expires_at: DateTime<Utc>,
    /// 1–5, once answered.
    pub rating: Option<u8>,
    /// The customer's words.
    pub comment: Option<String>,
    /// When they answered (last).
    pub answered_at: Option<DateTime<Utc>>,
}

impl From<survey::Model> for SurveyRecord {
    fn from(m: survey::Model) -> Self {
        Self {
            id: m.id,
            org_id: OrgId::from_uuid(m.org_id),
            conversation_id: ConversationId::from_uuid(m.conversation_id),
            created_at: m.created_at,
            expires_at: m.expires_at,
            rating: m.rating.and_then(|r| u8::try_from(r).ok()),
            comment: m.comment,
            answered_at: m.answered_at,
        }
    }
}

/// Stores a new survey with its link's digest.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    token_digest: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<uuid::Uuid> {
    let id = uuid::Uuid::now_v7();
    let m = survey::ActiveModel {
        id: Set(id),
        org_id: Set(scope.uuid()),
        conversation_id: Set(conversation.as_uuid()),
        token_digest: Set(token_digest.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        rating: Set(None),
        comment: Set(None),
        answered_at: Set(None),
    };
    survey::Entity::insert(m).exec_without_returning(db).await?;
    Ok(id)
}

/// The survey a link names (global: the link is the credential).
pub async fn by_digest(db: &impl ConnectionTrait, token_digest: &str) -> StoreResult<SurveyRecord> {
    survey::Entity::find()
        .filter(survey::Column::TokenDigest.eq(token_digest))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(StoreError::NotFound)
}

/// Records (or changes) the answer to a survey.
pub async fn answer(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
    rating: u8,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = survey::Entity::update_many()
        .col_expr(survey::Column::Rating, Expr::value(i16::from(rating)))
        .col_expr(
            survey::Column::Comment,
            Expr::value(comment.map(str::to_owned)),
        )
        .col_expr(survey::Column::AnsweredAt, Expr::value(now))
        .filter(survey::Column::OrgId.eq(scope.uuid()))
        .filter(survey::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The conversation's surveys, newest first.
pub async fn for_conversation(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
) -> StoreResult<Vec<SurveyRecord>> {
    Ok(survey::Entity::find()
        .filter(survey::Column::OrgId.eq(scope.uuid()))
        .filter(survey::Column::ConversationId.eq(conversation.as_uuid()))
        .order_by_desc(survey::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
