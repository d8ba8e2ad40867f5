//! Teams: named groups of an org's members (conversation routing and reports use them).

use crate::entity::{membership, team, team_member};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{TeamId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// A team with its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    /// Id.
    pub id: TeamId,
    /// Name, unique in the org.
    pub name: String,
    /// What the team does.
    pub description: String,
    /// Members' user ids.
    pub members: Vec<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Creates a team. A taken name is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> StoreResult<TeamRecord> {
    let id = TeamId::new();
    let model = team::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(name.to_owned()),
        description: Set(description.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    team::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(TeamRecord {
        id,
        name: name.to_owned(),
        description: description.to_owned(),
        members: Vec::new(),
        created_at: now,
    })
}

/// The org's teams by name, with members.
pub async fn list(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<TeamRecord>> {
    let teams = team::Entity::find()
        .filter(team::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?;
    let links = team_member::Entity::find()
        .filter(team_member::Column::OrgId.eq(scope.uuid()))
        .all(db)
        .await?;
    Ok(teams
        .into_iter()
        .map(|t| TeamRecord {
            id: TeamId::from_uuid(t.id),
            members: links
                .iter()
                .filter(|l| l.team_id == t.id)
                .map(|l| UserId::from_uuid(l.user_id))
                .collect(),
            name: t.name,
            description: t.description,
            created_at: t.created_at,
        })
        .collect())
}

/// One team of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: TeamId,
) -> StoreResult<TeamRecord> {
    list(db, scope)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(StoreError::NotFound)
}

/// Renames or re-describes a team.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: TeamId,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = team::Entity::update_many()
        .col_expr(team::Column::Name, name.into())
        .col_expr(team::Column::Description, description.into())
        .col_expr(team::Column::UpdatedAt, now.into())
        .filter(team::Column::OrgId.eq(scope.uuid()))
        .filter(team::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a team (memberships of the team go with it).
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: TeamId) -> StoreResult<()> {
    team_member::Entity::delete_many()
        .filter(team_member::Column::OrgId.eq(scope.uuid()))
        .filter(team_member::Column::TeamId.eq(id.as_uuid()))
        .exec(db)
        .await?;
    let res = team::Entity::delete_many()
        .filter(team::Column::OrgId.eq(scope.uuid()))
        .filter(team::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Puts an org member on a team. Someone who is not a member of the org is `NotFound`.
pub async fn add_member(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    team: TeamId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let is_member = membership::Entity::find()
        .filter(membership::Column::OrgId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.as_uuid()))
        .count(db)
        .await?
        > 0;
    let team_exists = team::Entity::find()
        .filter(team::Column::OrgId.eq(scope.uuid()))
        .filter(team::Column::Id.eq(team.as_uuid()))
        .count(db)
        .await?
        > 0;
    if !is_member || !team_exists {
        return Err(StoreError::NotFound);
    }
    let model = team_member::ActiveModel {
        team_id: Set(team.as_uuid()),
        user_id: Set(user.as_uuid()),
        org_id: Set(scope.uuid()),
        created_at: Set(now),
    };
    team_member::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes a member off a team.
pub async fn remove_member(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    team: TeamId,
    user: UserId,
) -> StoreResult<()> {
    let res = team_member::Entity::delete_many()
        .filter(team_member::Column::OrgId.eq(scope.uuid()))
        .filter(team_member::Column::TeamId.eq(team.as_uuid()))
        .filter(team_member::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
