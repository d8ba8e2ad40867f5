//! Saved segments: a named filter, columns and sort over a list, private to its owner or shared
//! with the org. The filter is compiled against the org's fields before it is saved, so a
//! segment never holds a filter that cannot run (until a custom field it names is deleted,
//! which the list then reports as an invalid filter).

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::lists::read_permission;
use rapport_domain::crm::RecordType;
use rapport_domain::{DomainError, Permission, SegmentId, bounded_text};
use rapport_store::query::Sort;
use rapport_store::repo::segments::{self, SegmentFields};

pub use rapport_store::repo::segments::SegmentRecord;

/// Most columns a segment may choose.
pub const MAX_COLUMNS: usize = 40;

/// A segment as submitted (create, or the full new state on update).
#[derive(Debug, Clone, Default)]
pub struct SegmentInput {
    /// Name (1..=100 characters).
    pub name: String,
    /// Filter text (may be empty: everything).
    pub filter: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Sort, if not the default.
    pub sort: Option<String>,
    /// Visible to the org.
    pub shared: bool,
}

/// The object type a segment lists.
pub fn parse_object(raw: &str) -> AppResult<RecordType> {
    RecordType::parse(raw).ok_or_else(|| {
        AppError::Invalid(vec![DomainError::Invalid {
            field: "object_type",
            reason: "it must be contact, company or deal",
        }])
    })
}

impl App {
    async fn checked_fields(
        &self,
        actor: &Actor,
        object: RecordType,
        input: &SegmentInput,
    ) -> AppResult<SegmentFields> {
        let mut errors = FieldErrors::default();
        let name = errors.check(bounded_text("name", &input.name, 100));
        if input.columns.len() > MAX_COLUMNS || input.columns.iter().any(|c| !valid_column(c)) {
            errors.push(DomainError::Invalid {
                field: "columns",
                reason: "columns are field names (at most 40)",
            });
        }
        let sort = input
            .sort
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let sort = match sort.map(|s| Sort::parse(object, Some(s))) {
            Some(Ok(s)) => Some(s.spec()),
            Some(Err(_)) => {
                errors.push(DomainError::Invalid {
                    field: "sort",
                    reason: "it names a field lists cannot sort by, or an unknown direction",
                });
                None
            }
            None => None,
        };
        if input.filter.chars().count() > rapport_domain::crm::filter::MAX_LEN {
            errors.push(DomainError::TooLong {
                field: "filter",
                max: rapport_domain::crm::filter::MAX_LEN,
            });
        }
        errors.finish()?;
        self.validate_filter(actor, object, &input.filter).await?;
        Ok(SegmentFields {
            name: name.unwrap_or_default(),
            filter: input.filter.trim().to_owned(),
            columns: input.columns.clone(),
            sort,
            shared: input.shared,
        })
    }

    /// The segments the actor may see (shared ones and their own), optionally of one type.
    pub async fn segments(
        &self,
        actor: &Actor,
        object: Option<RecordType>,
    ) -> AppResult<Vec<SegmentRecord>> {
        if let Some(o) = object {
            actor.require(read_permission(o))?;
        }
        let all = segments::list(
            self.db().conn(),
            actor.scope(),
            actor.user_id,
            object.map(RecordType::as_str),
        )
        .await?;
        // Without a type, only segments over lists the actor may read.
        Ok(all
            .into_iter()
            .filter(|s| {
                RecordType::parse(&s.object_type).is_some_and(|o| actor.can(read_permission(o)))
            })
            .collect())
    }

    /// One segment the actor may see.
    pub async fn segment(&self, actor: &Actor, id: SegmentId) -> AppResult<SegmentRecord> {
        let seg = segments::get(self.db().conn(), actor.scope(), actor.user_id, id).await?;
        let object = RecordType::parse(&seg.object_type).ok_or(AppError::NotFound)?;
        actor.require(read_permission(object))?;
        Ok(seg)
    }

    /// Saves a new segment owned by the actor.
    pub async fn create_segment(
        &self,
        actor: &Actor,
        object: RecordType,
        input: &SegmentInput,
    ) -> AppResult<SegmentRecord> {
        actor.require(read_permission(object))?;
        let fields = self.checked_fields(actor, object, input).await?;
        let txn = self.db().begin().await?;
        let id = segments::insert(
            &txn,
            actor.scope(),
            actor.user_id,
            object.as_str(),
            &fields,
            self.clock().now(),
        )
        .await?;
        txn.commit().await?;
        self.segment(actor, id).await
    }

    /// Whether the actor may change `seg`: its owner, or for a shared segment someone who
    /// manages the org's settings.
    fn may_edit(actor: &Actor, seg: &SegmentRecord) -> AppResult<()> {
        if seg.owner_id == actor.user_id || (seg.shared && actor.can(Permission::SettingsManage)) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Replaces a segment's name, filter, columns, sort and sharing.
    pub async fn update_segment(
        &self,
        actor: &Actor,
        id: SegmentId,
        input: &SegmentInput,
    ) -> AppResult<SegmentRecord> {
        let seg = self.segment(actor, id).await?;
        Self::may_edit(actor, &seg)?;
        let object = RecordType::parse(&seg.object_type).ok_or(AppError::NotFound)?;
        let fields = self.checked_fields(actor, object, input).await?;
        let txn = self.db().begin().await?;
        segments::update(&txn, actor.scope(), id, &fields, self.clock().now()).await?;
        txn.commit().await?;
        self.segment(actor, id).await
    }

    /// Deletes a segment.
    pub async fn delete_segment(&self, actor: &Actor, id: SegmentId) -> AppResult<()> {
        let seg = self.segment(actor, id).await?;
        Self::may_edit(actor, &seg)?;
        segments::delete(self.db().conn(), actor.scope(), id)
            .await
            .map_err(Into::into)
    }
}

/// A column name: a built-in field or `custom.<key>`.
fn valid_column(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 64
        && c.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '.')
}
