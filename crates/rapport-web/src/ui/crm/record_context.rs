//! What the contact and company pages load besides the record itself: the custom-field
//! definitions, the members (to name owners and authors), the record's deals and its timeline.

use crate::state::WebState;
use crate::ui::work::{TimelineQuery, TimelineView, timeline_for};
use rapport_app::records::{CustomFieldRecord, MemberRecord, RecordDeal};
use rapport_app::{Actor, AppError};
use rapport_domain::UserId;
use rapport_domain::crm::RecordType;

/// The shared parts of a record page.
pub(super) struct RecordContext {
    pub(super) defs: Vec<CustomFieldRecord>,
    members: Vec<MemberRecord>,
    pub(super) deals: Vec<RecordDeal>,
    pub(super) timeline: TimelineView,
}

impl RecordContext {
    /// Loads them for `(object, id)`; `path` is the page's own address (the timeline's pager).
    pub(super) async fn load(
        state: &WebState,
        actor: &Actor,
        (object, id): (RecordType, uuid::Uuid),
        q: &TimelineQuery,
        path: &str,
    ) -> Result<Self, AppError> {
        let defs = state.app.custom_fields(actor, Some(object)).await?;
        let members = state.app.members(actor).await?;
        let deals = state.app.record_deals(actor, (object, id)).await?;
        let timeline = timeline_for(
            state,
            actor,
            (object, id),
            &q.kinds,
            q.cursor.as_deref(),
            path,
        )
        .await?;
        Ok(Self {
            defs,
            members,
            deals,
            timeline,
        })
    }

    /// A member's name (empty for none, or for someone who left the org).
    pub(super) fn member_name(&self, user: Option<UserId>) -> String {
        user.and_then(|u| self.members.iter().find(|m| m.user.id == u))
            .map(|m| m.user.name.clone())
            .unwrap_or_default()
    }
}
