//! The automation settings pages (`settings.manage`): `/admin/automation` lists the rules in
//! evaluation order, said in words, with switches on and off; `/admin/automation/new` and
//! `/admin/automation/{id}` edit one (rows of conditions and actions, `static/automation.js`
//! adds rows and shows the inputs a row needs); `/admin/automation/{id}/runs` is its log.

use super::automation_form::{ActRow, CondRow, RuleForm};
use super::automation_words::{self as words, Names, Opt};
use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, Fields, done, parse_id, tr_of};
use crate::ui::crm::{Problems, problems};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::inbox::automation::RuleInput;
use rapport_domain::inbox::automation::RunOutcome;
use rapport_domain::{AutomationRuleId, Permission};

/// Where the list lives.
const PAGE: &str = "/admin/automation";

/// A rule as the list shows it.
pub struct RuleCard {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub trigger: String,
    pub any: bool,
    pub conditions: Vec<String>,
    pub actions: Vec<String>,
    pub runs: String,
}

/// The list.
#[derive(Template, WebTemplate)]
#[template(path = "admin_automation.html")]
pub struct ListPage {
    page: PageCtx,
    rules: Vec<RuleCard>,
    /// The webhook signing secret, when a rule calls a webhook.
    secret: Option<String>,
}

/// The editor.
#[derive(Template, WebTemplate)]
#[template(path = "admin_automation_form.html")]
pub struct FormPage {
    page: PageCtx,
    form: RuleForm,
    summary: Vec<String>,
    triggers: Vec<Opt>,
    fields: Vec<Opt>,
    operators: Vec<Opt>,
    choices: Vec<Opt>,
    kinds: Vec<Opt>,
    priorities: Vec<Opt>,
    statuses: Vec<Opt>,
    members: Vec<Opt>,
    teams: Vec<Opt>,
    canned: Vec<Opt>,
    /// The empty rows the script adds.
    blank_cond: CondRow,
    blank_act: ActRow,
}

/// One log entry as the run log shows it.
pub struct RunLine {
    pub when: String,
    /// The badge's class.
    pub outcome: &'static str,
    pub outcome_label: String,
    pub conversation: String,
    pub detail: String,
}

/// A rule's log.
#[derive(Template, WebTemplate)]
#[template(path = "admin_automation_runs.html")]
pub struct RunsPage {
    page: PageCtx,
    name: String,
    id: String,
    runs: Vec<RunLine>,
    older: Option<String>,
}

fn allowed(info: &SessionInfo) -> bool {
    info.actor.can(Permission::SettingsManage)
}

/// `GET /admin/automation`.
pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    if !allowed(&info) {
        return pages::forbidden(&state, &headers);
    }
    let actor = &info.actor;
    let loaded = async {
        let rules = state.app.automation_rules(actor).await?;
        let names = Names::load(&state, actor).await?;
        let calls_out = rules.iter().flat_map(|r| &r.actions).any(|a| {
            matches!(
                a,
                rapport_domain::inbox::automation::Action::CallWebhook { .. }
            )
        });
        let secret = match calls_out {
            true => Some(state.app.webhook_secret(actor).await?),
            false => None,
        };
        let (jar, page) = app_page(&state, &info, "automation", jar).await?;
        Ok::<_, AppError>((jar, page, rules, names, secret))
    }
    .await;
    let (jar, page, rules, names, secret) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let tr = &page.tr;
    let rules = rules
        .into_iter()
        .map(|r| RuleCard {
            id: r.id.to_string(),
            trigger: words::trigger_text(tr, r.trigger),
            any: !r.match_all,
            conditions: r
                .conditions
                .iter()
                .map(|c| words::condition_text(tr, &names, c))
                .collect(),
            actions: r
                .actions
                .iter()
                .map(|a| words::action_text(tr, &names, a))
                .collect(),
            runs: match &r.last_run_at {
                Some(at) => tr.tf(
                    "automation.ran",
                    &[
                        ("count", &r.run_count.to_string()),
                        ("when", &tr.datetime(at)),
                    ],
                ),
                None => tr.t("automation.never_ran"),
            },
            name: r.name,
            enabled: r.enabled,
        })
        .collect();
    (
        jar,
        ListPage {
            page,
            rules,
            secret,
        },
    )
        .into_response()
}

/// Renders the editor for `form`.
async fn editor(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    form: RuleForm,
    problems: Problems,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let names = Names::load(state, actor).await?;
        let (jar, page) = app_page(state, info, "automation", jar).await?;
        Ok::<_, AppError>((jar, page, names))
    }
    .await;
    let (jar, page, names) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let summary = problems.summary_in(tr, "automation");
    let body = FormPage {
        summary,
        triggers: words::trigger_options(tr),
        fields: words::field_options(tr),
        operators: words::operator_options(tr),
        choices: words::choice_options(tr, &names),
        kinds: words::action_options(tr),
        priorities: words::priority_options(tr),
        statuses: words::status_options(tr),
        members: words::named_options(&names.members),
        teams: words::named_options(&names.teams),
        canned: words::named_options(&names.canned),
        blank_cond: CondRow::default(),
        blank_act: ActRow::default(),
        form,
        page,
    };
    (problems.status(), jar, body).into_response()
}

/// `GET /admin/automation/new`.
pub async fn new(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    if !allowed(&info) {
        return pages::forbidden(&state, &headers);
    }
    let form = RuleForm::default();
    editor(&state, &headers, &info, jar, form, Problems::default()).await
}

/// `GET /admin/automation/{id}`.
pub async fn edit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
) -> Response {
    if !allowed(&info) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<AutomationRuleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.automation_rule(&info.actor, id).await {
        Ok(rule) => {
            let form = RuleForm::of(&rule);
            editor(&state, &headers, &info, jar, form, Problems::default()).await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// Saves a posted editor: `id` is `None` for a new rule.
async fn save(
    state: WebState,
    headers: HeaderMap,
    jar: CookieJar,
    info: SessionInfo,
    id: Option<AutomationRuleId>,
    pairs: Vec<(String, String)>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    if let Some(id) = id {
        // Another org's rule is a 404 whatever the form holds.
        if let Err(err) = state.app.automation_rule(&info.actor, id).await {
            return pages::from_app_error(&state, &headers, err);
        }
    }
    let form = RuleForm::read(&f, &id.map(|i| i.to_string()).unwrap_or_default());
    let saved = match form.input() {
        Ok(input) => match id {
            Some(id) => state
                .app
                .update_automation_rule(&info.actor, id, input)
                .await
                .map(|_| "automation_saved"),
            None => state
                .app
                .create_automation_rule(&info.actor, input)
                .await
                .map(|_| "automation_created"),
        },
        Err(err) => Err(err),
    };
    match saved {
        Ok(flash) => done(&state, jar, flash, PAGE),
        Err(err) => match problems(&tr_of(&state, &info), err) {
            Ok(p) => editor(&state, &headers, &info, jar, form, p).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /admin/automation`: add a rule.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    save(state, headers, jar, info, None, pairs).await
}

/// `POST /admin/automation/{id}`: change a rule.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let Some(id) = parse_id::<AutomationRuleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    save(state, headers, jar, info, Some(id), pairs).await
}

/// `POST /admin/automation/{id}/toggle`: switch a rule on or off.
pub async fn toggle(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<AutomationRuleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let on = f.get("enabled") == "true";
    let input = RuleInput {
        enabled: Some(on),
        ..Default::default()
    };
    match state
        .app
        .update_automation_rule(&info.actor, id, input)
        .await
    {
        Ok(_) if on => done(&state, jar, "automation_enabled", PAGE),
        Ok(_) => done(&state, jar, "automation_disabled", PAGE),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /admin/automation/{id}/delete`.
pub async fn delete(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<AutomationRuleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_automation_rule(&info.actor, id).await {
        Ok(()) => done(&state, jar, "automation_deleted", PAGE),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// Which page of the log.
#[derive(Debug, serde::Deserialize)]
pub struct RunsQuery {
    #[serde(default)]
    before: Option<String>,
}

/// `GET /admin/automation/{id}/runs`.
pub async fn runs(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<RunsQuery>,
) -> Response {
    if !allowed(&info) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<AutomationRuleId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    let actor = &info.actor;
    let loaded = async {
        let rule = state.app.automation_rule(actor, id).await?;
        let log = state
            .app
            .automation_runs(actor, id, q.before.as_deref(), Some(50))
            .await?;
        let (jar, page) = app_page(&state, &info, "automation", jar).await?;
        Ok::<_, AppError>((jar, page, rule, log))
    }
    .await;
    let (jar, page, rule, log) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let runs = log
        .items
        .into_iter()
        .map(|r| RunLine {
            when: page.tr.datetime(&r.created_at),
            outcome: match r.outcome {
                RunOutcome::Applied | RunOutcome::Delivered => "badge-done",
                RunOutcome::Failed | RunOutcome::Undelivered => "badge-dead",
                RunOutcome::LoopStopped => "badge-running",
                RunOutcome::Skipped => "badge-queued",
            },
            outcome_label: page.tr.t(&format!("automation.outcome.{}", r.outcome)),
            conversation: r.conversation_id.map(|c| c.to_string()).unwrap_or_default(),
            detail: r.detail,
        })
        .collect();
    let body = RunsPage {
        name: rule.name,
        id: rule.id.to_string(),
        runs,
        older: log.next_cursor,
        page,
    };
    (jar, body).into_response()
}
