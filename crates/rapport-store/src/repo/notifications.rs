//! In-app notifications: one member's own messages in one org (task reminders today). Every
//! query takes the org scope *and* the user, so nobody reads another member's notifications.

use crate::entity::notification;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{NotificationId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// Id.
    pub id: NotificationId,
    /// What it is about (`task.reminder`).
    pub kind: String,
    /// Headline.
    pub title: String,
    /// Details (plain text).
    pub body: String,
    /// A local path to open.
    pub link: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When the member read it.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<notification::Model> for NotificationRecord {
    fn from(m: notification::Model) -> Self {
        Self {
            id: NotificationId::from_uuid(m.id),
            kind: m.kind,
            title: m.title,
            body: m.body,
            link: m.link,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// A notification to store.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    /// Recipient.
    pub user: UserId,
    /// Kind.
    pub kind: &'a str,
    /// Headline.
    pub title: &'a str,
    /// Details.
    pub body: &'a str,
    /// Local path.
    pub link: Option<&'a str>,
}

/// Stores a notification.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    n: &NewNotification<'_>,
    now: DateTime<Utc>,
) -> StoreResult<NotificationId> {
    let id = NotificationId::new();
    let model = notification::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        user_id: Set(n.user.as_uuid()),
        kind: Set(n.kind.to_owned()),
        title: Set(n.title.to_owned()),
        body: Set(n.body.to_owned()),
        link: Set(n.link.map(str::to_owned)),
        created_at: Set(now),
        read_at: Set(None),
    };
    notification::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(id)
}

/// Where a page of notifications continues: the last one shown (unread ones come first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationCursor {
    /// Whether the last one shown was unread.
    pub unread: bool,
    /// Its creation time.
    pub created_at: DateTime<Utc>,
    /// Its id.
    pub id: NotificationId,
}

/// A page of one member's notifications: unread first, then newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    after: Option<NotificationCursor>,
    limit: u64,
) -> StoreResult<Vec<NotificationRecord>> {
    let mut q = notification::Entity::find()
        .filter(notification::Column::OrgId.eq(scope.uuid()))
        .filter(notification::Column::UserId.eq(user.as_uuid()));
    if let Some(c) = after {
        let older = Expr::tuple([
            Expr::col(notification::Column::CreatedAt),
            Expr::col(notification::Column::Id),
        ])
        .lt(Expr::tuple([
            Expr::val(c.created_at),
            Expr::val(c.id.as_uuid()),
        ]));
        q = if c.unread {
            q.filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(notification::Column::ReadAt.is_null())
                            .add(older),
                    )
                    .add(notification::Column::ReadAt.is_not_null()),
            )
        } else {
            q.filter(notification::Column::ReadAt.is_not_null())
                .filter(older)
        };
    }
    Ok(q.order_by(
        Expr::col(notification::Column::ReadAt).is_null(),
        Order::Desc,
    )
    .order_by_desc(notification::Column::CreatedAt)
    .order_by_desc(notification::Column::Id)
    .limit(limit)
    .all(db)
    .await?
    .into_iter()
    .map(Into::into)
    .collect())
}

/// How many unread notifications the member has.
pub async fn unread_count(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
) -> StoreResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::OrgId.eq(scope.uuid()))
        .filter(notification::Column::UserId.eq(user.as_uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one of the member's notifications read (`NotFound` for anyone else's); returns it.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    id: NotificationId,
    now: DateTime<Utc>,
) -> StoreResult<NotificationRecord> {
    let found = notification::Entity::find()
        .filter(notification::Column::OrgId.eq(scope.uuid()))
        .filter(notification::Column::UserId.eq(user.as_uuid()))
        .filter(notification::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::OrgId.eq(scope.uuid()))
        .filter(notification::Column::UserId.eq(user.as_uuid()))
        .filter(notification::Column::Id.eq(id.as_uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(found.into())
}

/// Marks all of the member's notifications read; returns how many changed.
pub async fn mark_all_read(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let res = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::OrgId.eq(scope.uuid()))
        .filter(notification::Column::UserId.eq(user.as_uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
