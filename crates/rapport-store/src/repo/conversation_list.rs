//! The conversation list: one folder's page (status, assignee, inbox, team, label, contact or
//! follower), newest activity first, keyset-paged on `(last_activity_at, id)`, with the names
//! the list shows (contact, inbox, assignee, team), the labels and the reader's read mark read
//! in the same statement through correlated subqueries over the page (see `query/related.rs`
//! for why one statement).

use crate::connect::Backend;
use crate::error::StoreResult;
use crate::query::related;
use crate::repo::raw::sql_for;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::sla::{Deadline, SlaView};
use rapport_domain::inbox::{ChannelKind, ConversationStatus, Priority};
use rapport_domain::{ContactId, ConversationId, InboxId, TeamId, UserId};
use sea_orm::{ConnectionTrait, QueryResult, Statement, Value};

use super::conversations::ConversationRecord;

/// Whose conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    /// Anyone's or no one's.
    #[default]
    Any,
    /// No one's.
    Unassigned,
    /// This member's.
    User(UserId),
}

/// Which conversations, from where.
#[derive(Debug, Clone, Default)]
pub struct ConversationQuery {
    /// Any of these statuses (empty: every status).
    pub statuses: Vec<ConversationStatus>,
    /// Assignee.
    pub assignee: AssigneeFilter,
    /// Only this inbox.
    pub inbox: Option<InboxId>,
    /// Only this team.
    pub team: Option<TeamId>,
    /// Only conversations with this label.
    pub label: Option<String>,
    /// Only this contact's.
    pub contact: Option<ContactId>,
    /// Only those this member follows.
    pub follower: Option<UserId>,
    /// At or above this priority.
    pub min_priority: Option<Priority>,
    /// Only this conversation (reads one row with everything the list shows).
    pub only: Option<ConversationId>,
    /// Whose read marks decide the unread state.
    pub reader: Option<UserId>,
    /// Start after this (last_activity_at, id).
    pub after: Option<(DateTime<Utc>, ConversationId)>,
    /// Page size.
    pub limit: u64,
}

/// A list row: the conversation and what the list shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    /// The conversation.
    pub record: ConversationRecord,
    /// The contact's display name.
    pub contact_name: String,
    /// The contact's primary email.
    pub contact_email: Option<String>,
    /// The inbox's name.
    pub inbox_name: String,
    /// The inbox's channel.
    pub channel: ChannelKind,
    /// The assignee's name.
    pub assignee_name: Option<String>,
    /// The team's name.
    pub team_name: Option<String>,
    /// Labels, sorted.
    pub labels: Vec<String>,
    /// When the reader last read it.
    pub last_read_at: Option<DateTime<Utc>>,
    /// Its SLA deadlines, when its inbox is under a policy.
    pub sla: Option<SlaView>,
}

impl ConversationRow {
    /// Whether the customer wrote since the reader last read it.
    pub fn unread(&self) -> bool {
        match (self.record.last_incoming_at, self.last_read_at) {
            (Some(incoming), Some(read)) => incoming > read,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// Builds a statement with `$n` placeholders numbered as values are pushed.
struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        format!("${}", self.values.len())
    }
}

/// One page of conversations; the next page starts after the last row's key.
pub async fn page(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    q: &ConversationQuery,
) -> StoreResult<Vec<ConversationRow>> {
    let backend = db.get_database_backend();
    let mut sql = Sql {
        text: String::new(),
        values: Vec::new(),
    };
    let org = sql.bind(scope.uuid());
    let mut conds = vec![format!("c.org_id = {org}")];
    match q.statuses.as_slice() {
        [] => {}
        [one] => conds.push(format!("c.status = {}", sql.bind(one.as_str()))),
        many => {
            let list: Vec<String> = many.iter().map(|s| sql.bind(s.as_str())).collect();
            conds.push(format!("c.status IN ({})", list.join(", ")));
        }
    }
    match q.assignee {
        AssigneeFilter::Any => {}
        AssigneeFilter::Unassigned => conds.push("c.assignee_id IS NULL".into()),
        AssigneeFilter::User(u) => {
            conds.push(format!("c.assignee_id = {}", sql.bind(u.as_uuid())));
        }
    }
    if let Some(i) = q.inbox {
        conds.push(format!("c.inbox_id = {}", sql.bind(i.as_uuid())));
    }
    if let Some(t) = q.team {
        conds.push(format!("c.team_id = {}", sql.bind(t.as_uuid())));
    }
    if let Some(c) = q.only {
        conds.push(format!("c.id = {}", sql.bind(c.as_uuid())));
    }
    if let Some(c) = q.contact {
        conds.push(format!("c.contact_id = {}", sql.bind(c.as_uuid())));
    }
    // A label folder walks the label's own index in activity order (its rows keep a copy of
    // the conversation's `last_activity_at`) and joins each conversation; the other folders
    // walk the conversations' indexes. `CROSS JOIN` tells SQLite to keep that order.
    let (from, at_col, id_col) = match &q.label {
        Some(l) => {
            let (org, l) = (sql.bind(scope.uuid()), sql.bind(l.clone()));
            conds.push(format!(
                "lf.org_id = {org} AND lf.label = {l} AND lf.conversation_id = c.id"
            ));
            (
                "conversation_labels lf CROSS JOIN conversations c",
                "lf.last_activity_at",
                "lf.conversation_id",
            )
        }
        None => ("conversations c", "c.last_activity_at", "c.id"),
    };
    if let Some(f) = q.follower {
        let f = sql.bind(f.as_uuid());
        conds.push(format!(
            "EXISTS (SELECT 1 FROM conversation_followers f WHERE f.conversation_id = c.id \
             AND f.org_id = c.org_id AND f.user_id = {f})"
        ));
    }
    if let Some(p) = q.min_priority {
        let names: Vec<String> = Priority::ALL
            .iter()
            .filter(|x| **x >= p)
            .map(|x| sql.bind(x.as_str()))
            .collect();
        conds.push(format!("c.priority IN ({})", names.join(", ")));
    }
    if let Some((at, id)) = q.after {
        let at1 = sql.bind(at);
        let at2 = sql.bind(at);
        let id = sql.bind(id.as_uuid());
        conds.push(format!(
            "({at_col} < {at1} OR ({at_col} = {at2} AND {id_col} < {id}))"
        ));
    }
    let limit = q.limit.clamp(1, 200);
    let labels = related::joined(Backend::of(db), "l.label");
    let read = match q.reader {
        Some(u) => format!(
            "(SELECT r.last_read_at FROM conversation_reads r WHERE r.conversation_id = page.id \
             AND r.user_id = {})",
            sql.bind(u.as_uuid())
        ),
        None => "NULL".into(),
    };
    sql.text = format!(
        "SELECT page.*, \
         (SELECT k.display_name FROM contacts k WHERE k.id = page.contact_id AND k.org_id = page.org_id) AS contact_name, \
         (SELECT k.primary_email FROM contacts k WHERE k.id = page.contact_id AND k.org_id = page.org_id) AS contact_email, \
         (SELECT i.name FROM inboxes i WHERE i.id = page.inbox_id AND i.org_id = page.org_id) AS inbox_name, \
         (SELECT i.channel FROM inboxes i WHERE i.id = page.inbox_id AND i.org_id = page.org_id) AS inbox_channel, \
         (SELECT u.name FROM users u WHERE u.id = page.assignee_id) AS assignee_name, \
         (SELECT t.name FROM teams t WHERE t.id = page.team_id AND t.org_id = page.org_id) AS team_name, \
         (SELECT {labels} FROM conversation_labels l WHERE l.conversation_id = page.id AND l.org_id = page.org_id) AS label_list, \
         {read} AS last_read_at, \
         {SLA_COLUMNS} \
         FROM (SELECT c.* FROM {from} WHERE {} \
               ORDER BY {at_col} DESC, {id_col} DESC LIMIT {limit}) AS page \
         LEFT JOIN conversation_slas s ON s.conversation_id = page.id \
         ORDER BY page.last_activity_at DESC, page.id DESC",
        conds.join(" AND ")
    );
    let stmt = Statement::from_sql_and_values(backend, sql_for(backend, &sql.text), sql.values);
    let rows = db.query_all_raw(stmt).await?;
    rows.iter().map(row).collect()
}

/// The page's SLA deadlines, from the joined `conversation_slas` row (null when none).
const SLA_COLUMNS: &str = "s.conversation_id AS sla_id, \
    s.first_response_due_at AS sla_fr_due, s.first_response_warn_at AS sla_fr_warn, \
    s.first_response_met_at AS sla_fr_met, s.first_response_warned_at AS sla_fr_warned, \
    s.first_response_breached_at AS sla_fr_breached, \
    s.resolution_due_at AS sla_res_due, s.resolution_warn_at AS sla_res_warn, \
    s.resolution_met_at AS sla_res_met, s.resolution_warned_at AS sla_res_warned, \
    s.resolution_breached_at AS sla_res_breached, s.paused_at AS sla_paused";

fn sla_view(r: &QueryResult) -> StoreResult<Option<SlaView>> {
    let id: Option<uuid::Uuid> = r.try_get("", "sla_id")?;
    if id.is_none() {
        return Ok(None);
    }
    let at = |c: &str| r.try_get::<Option<DateTime<Utc>>>("", c);
    let deadline = |p: &str| -> StoreResult<Deadline> {
        Ok(Deadline {
            due_at: at(&format!("sla_{p}_due"))?,
            warn_at: at(&format!("sla_{p}_warn"))?,
            met_at: at(&format!("sla_{p}_met"))?,
            warned_at: at(&format!("sla_{p}_warned"))?,
            breached_at: at(&format!("sla_{p}_breached"))?,
        })
    };
    Ok(Some(SlaView {
        first_response: deadline("fr")?,
        resolution: deadline("res")?,
        paused: at("sla_paused")?.is_some(),
    }))
}

fn row(r: &QueryResult) -> StoreResult<ConversationRow> {
    use crate::entity::conversation;
    use sea_orm::FromQueryResult;
    let model = conversation::Model::from_query_result(r, "")?;
    let labels = related::split_tags(r.try_get("", "label_list")?);
    let channel: Option<String> = r.try_get("", "inbox_channel")?;
    Ok(ConversationRow {
        record: model.into(),
        contact_name: r
            .try_get::<Option<String>>("", "contact_name")?
            .unwrap_or_default(),
        contact_email: r.try_get("", "contact_email")?,
        inbox_name: r
            .try_get::<Option<String>>("", "inbox_name")?
            .unwrap_or_default(),
        channel: channel
            .as_deref()
            .and_then(|c| ChannelKind::parse(c).ok())
            .unwrap_or(ChannelKind::Api),
        assignee_name: r.try_get("", "assignee_name")?,
        team_name: r.try_get("", "team_name")?,
        labels,
        last_read_at: r.try_get("", "last_read_at")?,
        sla: sla_view(r)?,
    })
}
