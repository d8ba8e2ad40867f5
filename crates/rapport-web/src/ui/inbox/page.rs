//! `GET /inbox` (a folder, a status tab, optionally an open conversation `c`) and
//! `GET /inbox/conversations/{id}` (the same page with that conversation open: the links in
//! notifications). Opening a conversation marks it read for the agent.

use super::folders::{self, Folder, FolderLink, parse_status, status_key};
use super::sla_badge::{Badge, badge};
use super::thread::{self, Entry};
use crate::state::WebState;
use crate::ui::page::{PageCtx, UiSession, app_page_with, initials};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::inbox::ConversationRow;
use rapport_domain::inbox::{ConversationStatus, Priority};
use rapport_domain::{ConversationId, Permission};
use serde::Deserialize;
use std::collections::HashMap;

/// Query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    folder: Option<String>,
    status: Option<String>,
    /// The open conversation.
    c: Option<String>,
    cursor: Option<String>,
}

/// A status tab.
pub struct Tab {
    pub label: String,
    pub href: String,
    pub active: bool,
}

/// A row of the conversation list.
pub struct Item {
    pub id: String,
    pub href: String,
    pub number: i64,
    pub name: String,
    pub initials: String,
    /// The subject, when the channel has one (email): what the agent scans the list by.
    pub subject: String,
    pub preview: String,
    pub when: String,
    pub unread: bool,
    pub status: String,
    pub status_label: String,
    pub priority: String,
    pub priority_label: String,
    pub labels: Vec<String>,
    pub inbox: String,
    pub assignee: String,
    pub selected: bool,
    /// The SLA deadline to show, if any.
    pub sla: Option<Badge>,
}

/// The open conversation.
pub struct Open {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_href: String,
    pub contact_initials: String,
    pub inbox: String,
    /// The inbox's id (the canned-response picker lists what this inbox offers).
    pub inbox_id: String,
    pub status: String,
    pub status_label: String,
    pub priority: String,
    pub assignee: String,
    pub team: String,
    pub labels: Vec<String>,
    pub waiting: String,
    /// The SLA deadline to show, if any.
    pub sla: Option<Badge>,
    /// The satisfaction rating ("4/5 · comment"), or that a survey waits ("" when none).
    pub csat: String,
    pub entries: Vec<Entry>,
    pub has_older: bool,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    page: PageCtx,
    folders: Vec<FolderLink>,
    has_labels: bool,
    tabs: Vec<Tab>,
    items: Vec<Item>,
    more_href: String,
    open: Option<Open>,
    members: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    return_to: String,
    folder_title: String,
    can_reply: bool,
    can_assign: bool,
    me: String,
    has_teams: bool,
    /// The saved view on show, if any.
    view: Option<OpenView>,
}

/// The saved view the list shows.
pub struct OpenView {
    pub id: String,
    /// Its owner, or a settings manager, may delete it here.
    pub deletable: bool,
}

/// `GET /inbox`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(q): Query<InboxQuery>,
) -> Response {
    let open = match q.c.as_deref().filter(|c| !c.is_empty()).map(str::parse) {
        None => None,
        Some(Ok(id)) => Some(ConversationId::from_uuid(id)),
        Some(Err(_)) => return pages::not_found(&state, &headers),
    };
    render(&state, &headers, jar, &info, &q, open).await
}

/// `GET /inbox/conversations/{id}`.
pub async fn show_one(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    Query(mut q): Query<InboxQuery>,
) -> Response {
    let Ok(id) = id.parse() else {
        return pages::not_found(&state, &headers);
    };
    q.folder.get_or_insert_with(|| "all".into());
    q.status.get_or_insert_with(|| "all".into());
    render(
        &state,
        &headers,
        jar,
        &info,
        &q,
        Some(ConversationId::from_uuid(id)),
    )
    .await
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    info: &SessionInfo,
    q: &InboxQuery,
    open: Option<ConversationId>,
) -> Response {
    match build(state, jar, info, q, open).await {
        Ok((jar, page)) => (jar, page).into_response(),
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

/// A compact time for the list: the time of day for today, else the date.
fn when(
    page: &PageCtx,
    at: &chrono::DateTime<chrono::Utc>,
    now: &chrono::DateTime<chrono::Utc>,
) -> String {
    if page.tr.local_date(at) == page.tr.local_date(now) {
        page.tr.time(at)
    } else {
        page.tr.date(at)
    }
}

fn item(
    page: &PageCtx,
    row: ConversationRow,
    href: String,
    selected: bool,
    now: &chrono::DateTime<chrono::Utc>,
) -> Item {
    let unread = row.unread();
    let r = &row.record;
    Item {
        id: r.id.to_string(),
        href,
        number: r.number,
        initials: initials(&row.contact_name),
        subject: r.subject.clone().unwrap_or_default(),
        preview: r.last_message_preview.clone().unwrap_or_default(),
        when: when(page, &r.last_activity_at, now),
        unread: unread && !selected,
        status: r.status.as_str().to_owned(),
        status_label: page.tr.t(&format!("inbox.status.{}", r.status)),
        priority: r.priority.as_str().to_owned(),
        priority_label: page.tr.t(&format!("inbox.priority.{}", r.priority)),
        labels: row.labels.clone(),
        inbox: row.inbox_name.clone(),
        assignee: row.assignee_name.clone().unwrap_or_default(),
        selected,
        sla: badge(&page.tr, row.sla.as_ref(), *now),
        name: row.contact_name,
    }
}

async fn build(
    state: &WebState,
    jar: CookieJar,
    info: &SessionInfo,
    q: &InboxQuery,
    open: Option<ConversationId>,
) -> Result<(CookieJar, InboxPage), AppError> {
    let actor = &info.actor;
    let app = &state.app;
    let folder = Folder::parse(q.folder.as_deref());
    let status = parse_status(q.status.as_deref());
    let inboxes = app.inboxes(actor).await?;
    let labels = app.conversation_labels(actor).await?;
    let teams = app.conversation_teams(actor).await?;
    let views = app.saved_views(actor).await?;
    let view = match &folder {
        Folder::View(id) => Some(app.saved_view(actor, *id).await?),
        _ => None,
    };
    let overview = app.org_overview(actor).await?;
    let (jar, page) = app_page_with(state, info, "inbox", jar, &overview);
    let list = app
        .conversations(
            actor,
            folder.query(status, actor.user_id, view.as_ref().map(|v| &v.filter)),
            q.cursor.as_deref(),
            Some(40),
        )
        .await?;
    let base = folders::href(&folder, status);
    let members: Vec<(String, String)> = app
        .members(actor)
        .await?
        .into_iter()
        .map(|m| (m.user.id.to_string(), m.user.name))
        .collect();
    let names: HashMap<uuid::Uuid, String> = members
        .iter()
        .filter_map(|(id, name)| Some((id.parse().ok()?, name.clone())))
        .collect();
    let opened = match open {
        Some(id) => {
            let detail = app.conversation(actor, id).await?;
            let thread = app
                .conversation_messages(actor, id, None, Some(100))
                .await?;
            app.mark_conversation_read(actor, id).await?;
            Some((detail, thread))
        }
        None => None,
    };
    let now = app.clock().now();
    let items = list
        .items
        .into_iter()
        .map(|row| {
            let selected = Some(row.record.id) == open;
            let href = format!("{base}&c={}", row.record.id);
            item(&page, row, href, selected, &now)
        })
        .collect();
    let more_href = list
        .next_cursor
        .map(|c| format!("{base}&cursor={c}"))
        .unwrap_or_default();
    let return_to = match open {
        Some(id) => format!("{base}&c={id}"),
        None => base.clone(),
    };
    let open = opened.map(|(d, t)| {
        let r = &d.row.record;
        Open {
            id: r.id.to_string(),
            number: r.number,
            subject: r.subject.clone().unwrap_or_default(),
            contact_initials: initials(&d.row.contact_name),
            contact_href: format!("/contacts/{}", r.contact_id),
            contact_email: d.row.contact_email.clone().unwrap_or_default(),
            inbox: d.row.inbox_name.clone(),
            inbox_id: r.inbox_id.to_string(),
            status: r.status.as_str().to_owned(),
            status_label: page.tr.t(&format!("inbox.status.{}", r.status)),
            priority: r.priority.as_str().to_owned(),
            assignee: r.assignee_id.map(|u| u.to_string()).unwrap_or_default(),
            team: d.row.team_name.clone().unwrap_or_default(),
            labels: d.row.labels.clone(),
            waiting: r
                .waiting_since
                .map(|w| page.tr.datetime(&w))
                .unwrap_or_default(),
            sla: badge(&page.tr, d.row.sla.as_ref(), now),
            csat: match &d.csat {
                None => String::new(),
                Some(s) => match s.rating {
                    None => page.tr.t("inbox.csat.waiting"),
                    Some(r) => {
                        let rated = page
                            .tr
                            .tf("inbox.csat.rated", &[("rating", &r.to_string())]);
                        match &s.comment {
                            Some(c) => format!("{rated} · “{c}”"),
                            None => rated,
                        }
                    }
                },
            },
            entries: thread::entries(&page.tr, &t.items, &names, &d.row.contact_name),
            has_older: t.older_cursor.is_some(),
            contact_name: d.row.contact_name,
        }
    });
    let tabs = [
        Some(ConversationStatus::Open),
        Some(ConversationStatus::Pending),
        Some(ConversationStatus::Snoozed),
        Some(ConversationStatus::Resolved),
        None,
    ]
    .into_iter()
    .map(|s| Tab {
        label: page.tr.t(&format!("inbox.tabs.{}", status_key(s))),
        href: folders::href(&folder, s),
        active: s == status,
    })
    .collect();
    let sections = folders::Sections {
        inboxes: &inboxes,
        teams: &teams,
        labels: &labels,
        views: &views,
    };
    let folder_links = folders::links(&page.tr, &folder, status, &sections);
    let folder_title = folder_links
        .iter()
        .find(|f| f.active)
        .map(|f| f.label.clone())
        .unwrap_or_default();
    let priorities = Priority::ALL
        .iter()
        .map(|p| {
            (
                p.as_str().to_owned(),
                page.tr.t(&format!("inbox.priority.{p}")),
            )
        })
        .collect();
    Ok((
        jar,
        InboxPage {
            can_reply: actor.can(Permission::ConversationsReply),
            can_assign: actor.can(Permission::ConversationsAssign),
            me: actor.user_id.to_string(),
            has_labels: folder_links.iter().any(|f| f.group == "label"),
            has_teams: !teams.is_empty(),
            view: view.map(|v| OpenView {
                id: v.id.to_string(),
                deletable: v.user_id == actor.user_id || actor.can(Permission::SettingsManage),
            }),
            folders: folder_links,
            folder_title,
            tabs,
            items,
            more_href,
            open,
            members,
            priorities,
            return_to,
            page,
        },
    ))
}
