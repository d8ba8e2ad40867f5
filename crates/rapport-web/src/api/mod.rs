//! The JSON API under `/api/v1`, documented by an OpenAPI 3.1 document generated from the
//! handlers (utoipa) and served at `/api/v1/openapi.json`.

pub mod audit;
pub mod auth;
pub mod contact_merge;
pub mod crm;
pub mod deals;
pub mod imports;
pub mod inbox;
pub mod lists;
pub mod me;
pub mod notes;
pub mod notifications;
pub mod pipelines;
pub mod privacy;
pub mod realtime;
pub mod retention;
pub mod roles;
pub mod segments;
pub mod setup;
pub mod system;
pub mod tasks;
pub mod teams;
pub mod timeline;
pub mod tokens;
pub mod users;
pub mod webhook_secret;
pub mod work_common;

use crate::error::{FieldError, Problem};
use crate::state::WebState;
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API's top-level description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rapport API",
        description = "Rapport's JSON API. Errors are RFC 9457 problem documents with a stable `code`. \
            Authenticate with `Authorization: Bearer <token>` (personal API tokens, scoped to \
            permissions) or the session cookie (send `X-CSRF-Token` on writes).",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only")
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "setup", description = "First-run setup"),
        (name = "auth", description = "Signing in and out"),
        (name = "account", description = "The signed-in user"),
        (name = "tokens", description = "Personal API tokens"),
        (name = "users", description = "Members of the organization"),
        (name = "teams", description = "Teams of members"),
        (name = "roles", description = "Built-in and custom roles"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "system", description = "Background jobs and dead letters (owners and admins)"),
        (name = "contacts", description = "People: emails, phones, identities, tags, companies, custom fields"),
        (name = "companies", description = "Organizations and their domains"),
        (name = "custom-fields", description = "Fields an org adds to contacts, companies and deals"),
        (name = "deals", description = "Deals, pipelines and their stages"),
        (name = "notes", description = "Markdown notes on contacts, companies and deals"),
        (name = "tasks", description = "Tasks with due times, assignees, linked records and reminders"),
        (name = "notifications", description = "The caller's in-app notifications"),
        (name = "timeline", description = "The activity timeline of a contact, company or deal"),
        (name = "segments", description = "Saved list filters, private or shared"),
        (name = "imports", description = "CSV and vCard import of contacts"),
        (name = "inbox", description = "Inboxes (one per channel account), the API channel's inbound messages, canned responses, automation rules and SLA policies"),
        (name = "conversations", description = "Conversations, their messages and notes, assignment, labels and bulk actions"),
        (name = "privacy", description = "Data-subject requests (the personal-data export of a contact, a member or yourself), retention of conversation logs, and legal holds")
    )
)]
pub struct ApiDoc;

/// The `/api/v1` routes and their OpenAPI document.
pub fn routes() -> (Router<WebState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(setup::create_setup))
        .routes(routes!(me::get_me))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(teams::list_teams, teams::create_team))
        .routes(routes!(teams::delete_team))
        .routes(routes!(roles::list_roles, roles::create_role))
        .routes(routes!(roles::update_role, roles::delete_role))
        .routes(routes!(audit::list_audit))
        .routes(routes!(privacy::export_contact_data))
        .routes(routes!(privacy::export_member_data))
        .routes(routes!(privacy::export_my_data))
        .routes(routes!(retention::get_retention))
        .routes(routes!(retention::set_conversation_retention))
        .routes(routes!(retention::list_runs))
        .routes(routes!(retention::list_holds, retention::place_hold))
        .routes(routes!(retention::release_hold))
        .routes(routes!(system::queue_depth))
        .routes(routes!(system::list_jobs))
        .routes(routes!(system::retry_job))
        .routes(routes!(lists::list_contacts, crm::contacts::create_contact))
        .routes(routes!(
            crm::contacts::get_contact,
            crm::contacts::update_contact,
            crm::contacts::delete_contact
        ))
        .routes(routes!(
            lists::list_companies,
            crm::companies::create_company
        ))
        .routes(routes!(
            crm::companies::get_company,
            crm::companies::update_company,
            crm::companies::delete_company
        ))
        .routes(routes!(
            crm::custom_fields::list_custom_fields,
            crm::custom_fields::create_custom_field
        ))
        .routes(routes!(
            crm::custom_fields::update_custom_field,
            crm::custom_fields::delete_custom_field
        ))
        .routes(routes!(
            pipelines::list_pipelines,
            pipelines::create_pipeline
        ))
        .routes(routes!(
            pipelines::get_pipeline,
            pipelines::update_pipeline,
            pipelines::delete_pipeline
        ))
        .routes(routes!(pipelines::add_stage))
        .routes(routes!(pipelines::update_stage, pipelines::delete_stage))
        .routes(routes!(lists::list_deals, deals::create_deal))
        .routes(routes!(
            deals::get_deal,
            deals::update_deal,
            deals::delete_deal
        ))
        .routes(routes!(deals::move_deal))
        .routes(routes!(deals::deal_history))
        .routes(routes!(notes::list_notes, notes::create_note))
        .routes(routes!(notes::update_note, notes::delete_note))
        .routes(routes!(tasks::list_tasks, tasks::create_task))
        .routes(routes!(
            tasks::get_task,
            tasks::update_task,
            tasks::delete_task
        ))
        .routes(routes!(tasks::complete_task))
        .routes(routes!(tasks::reopen_task))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::read_notification))
        .routes(routes!(notifications::read_all_notifications))
        .routes(routes!(timeline::contact_timeline))
        .routes(routes!(timeline::company_timeline))
        .routes(routes!(timeline::deal_timeline))
        .routes(routes!(lists::export_contacts))
        .routes(routes!(lists::export_companies))
        .routes(routes!(lists::export_deals))
        .routes(routes!(segments::list_segments, segments::create_segment))
        .routes(routes!(
            segments::get_segment,
            segments::update_segment,
            segments::delete_segment
        ))
        .merge(
            // Uploads may be up to 50 MB; the innermost body limit wins.
            OpenApiRouter::new()
                .routes(routes!(imports::upload_import))
                .layer(DefaultBodyLimit::max(imports::UPLOAD_LIMIT)),
        )
        .routes(routes!(imports::get_import))
        .routes(routes!(imports::run_import))
        .routes(routes!(imports::import_errors))
        .routes(routes!(contact_merge::list_duplicates))
        .routes(routes!(contact_merge::merge_contacts))
        .routes(routes!(contact_merge::contact_vcard))
        .routes(routes!(contact_merge::export_vcards))
        .routes(routes!(
            inbox::inboxes::list_inboxes,
            inbox::inboxes::create_inbox
        ))
        .routes(routes!(
            inbox::inboxes::get_inbox,
            inbox::inboxes::update_inbox,
            inbox::inboxes::delete_inbox
        ))
        .routes(routes!(inbox::inboxes::post_inbound_message))
        .routes(routes!(inbox::email::get_email, inbox::email::put_email))
        .routes(routes!(inbox::email::list_quarantine))
        .routes(routes!(inbox::email::retry_quarantined))
        .routes(routes!(inbox::email::discard_quarantined))
        .routes(routes!(inbox::conversations::list_conversations))
        .routes(routes!(inbox::conversations::bulk))
        .routes(routes!(inbox::conversations::get_conversation))
        .routes(routes!(inbox::conversations::set_status))
        .routes(routes!(inbox::conversations::set_priority))
        .routes(routes!(inbox::conversations::assign))
        .routes(routes!(inbox::conversations::set_labels))
        .routes(routes!(
            inbox::conversations::follow,
            inbox::conversations::unfollow
        ))
        .routes(routes!(inbox::conversations::mark_read))
        .routes(routes!(inbox::conversations::merge))
        .routes(routes!(inbox::conversations::move_conversation))
        .routes(routes!(inbox::conversations::list_labels))
        .routes(routes!(
            inbox::messages::list_messages,
            inbox::messages::create_message
        ))
        .routes(routes!(inbox::messages::split_message))
        .merge(
            // Files may be up to 25 MiB.
            OpenApiRouter::new()
                .routes(routes!(inbox::attachments::upload))
                .layer(DefaultBodyLimit::max(inbox::attachments::UPLOAD_LIMIT)),
        )
        .routes(routes!(inbox::attachments::get_attachment))
        .routes(routes!(inbox::views::list_views, inbox::views::create_view))
        .routes(routes!(inbox::views::get_view, inbox::views::delete_view))
        .routes(routes!(inbox::attachments::attachment_content))
        .routes(routes!(
            inbox::canned::list_canned,
            inbox::canned::create_canned
        ))
        .routes(routes!(
            inbox::canned::get_canned,
            inbox::canned::update_canned,
            inbox::canned::delete_canned
        ))
        .routes(routes!(inbox::canned::render_canned))
        .routes(routes!(
            inbox::automation::list_rules,
            inbox::automation::create_rule
        ))
        .routes(routes!(
            inbox::automation::get_rule,
            inbox::automation::update_rule,
            inbox::automation::delete_rule
        ))
        .routes(routes!(inbox::automation::list_runs))
        .routes(routes!(webhook_secret::get_secret))
        .routes(routes!(webhook_secret::rotate_secret))
        .routes(routes!(
            inbox::sla::list_policies,
            inbox::sla::create_policy
        ))
        .routes(routes!(inbox::assignment::my_workload))
        .routes(routes!(inbox::assignment::set_availability))
        .routes(routes!(inbox::assignment::set_capacity))
        .routes(routes!(
            inbox::sla::get_policy,
            inbox::sla::update_policy,
            inbox::sla::delete_policy
        ))
        .routes(routes!(realtime::stream))
        .routes(routes!(realtime::announce))
        .split_for_parts();
    let spec = doc.clone();
    let router = router.route("/openapi.json", get(move || async move { Json(spec) }));
    (router, doc)
}
