//! First-run setup: when the database holds no organization, the first visitor creates one
//! and becomes its owner. Once any org exists, setup is closed for good.

use crate::auth::{SignedIn, password};
use crate::authz::system_scope;
use crate::context::App;
use crate::error::{AppError, AppResult, FieldErrors};
use rapport_domain::{
    DisplayName, Email, EventKind, OrgId, OrgName, OrgSlug, Password, Role, TimeZoneName, UserId,
};
use rapport_store::repo::{memberships, orgs, users};
use rapport_store::{ConnectionTrait, outbox};

/// What the setup form asks for.
#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    /// Organization name.
    pub org_name: String,
    /// Owner's name.
    pub name: String,
    /// Owner's email.
    pub email: String,
    /// Owner's password.
    pub password: String,
    /// Owner's time zone (from the browser), `UTC` when unknown.
    pub time_zone: String,
}

/// What setup created.
#[derive(Debug, Clone)]
pub struct SetupDone {
    /// The new org.
    pub org_id: OrgId,
    /// The owner.
    pub user_id: UserId,
    /// A session for the owner, so they land signed in.
    pub session: SignedIn,
}

/// Validated account fields shared by setup and demo seeding.
pub(crate) struct OwnerFields {
    pub org_name: OrgName,
    pub name: DisplayName,
    pub email: Email,
    pub password: Password,
    pub time_zone: TimeZoneName,
}

impl OwnerFields {
    pub(crate) fn validate(input: &SetupInput) -> AppResult<Self> {
        let mut errors = FieldErrors::default();
        let org_name = errors.check(OrgName::parse(&input.org_name));
        let name = errors.check(DisplayName::parse(&input.name));
        let email = errors.check(Email::parse(&input.email));
        let password = errors.check(Password::parse(&input.password));
        let tz_raw = if input.time_zone.trim().is_empty() {
            "UTC"
        } else {
            input.time_zone.as_str()
        };
        let time_zone = errors.check(TimeZoneName::parse(tz_raw).and_then(known_time_zone));
        errors.finish()?;
        match (org_name, name, email, password, time_zone) {
            (Some(org_name), Some(name), Some(email), Some(password), Some(time_zone)) => {
                Ok(Self {
                    org_name,
                    name,
                    email,
                    password,
                    time_zone,
                })
            }
            _ => Err(AppError::Internal("validation state mismatch".into())),
        }
    }
}

fn known_time_zone(tz: TimeZoneName) -> Result<TimeZoneName, rapport_domain::DomainError> {
    if tz.as_str().parse::<chrono_tz::Tz>().is_ok() {
        Ok(tz)
    } else {
        Err(rapport_domain::DomainError::Invalid {
            field: "time_zone",
            reason: "unknown time zone",
        })
    }
}

impl App {
    /// Whether first-run setup is still open (no organization exists).
    pub async fn needs_setup(&self) -> AppResult<bool> {
        Ok(orgs::count_all(self.db().conn()).await? == 0)
    }

    /// Creates the first organization and its owner, and signs the owner in.
    pub async fn complete_setup(
        &self,
        input: SetupInput,
        meta: &crate::authz::RequestMeta,
    ) -> AppResult<SetupDone> {
        let fields = OwnerFields::validate(&input)?;
        let hash = password::hash(fields.password)
            .await
            .map_err(AppError::Internal)?;
        let txn = self.db().begin().await?;
        orgs::lock_for_setup(&txn).await?;
        if orgs::count_all(&txn).await? > 0 {
            txn.rollback().await?;
            return Err(AppError::AlreadySetUp);
        }
        let (org_id, user_id) = create_org_with_owner(
            self,
            &txn,
            &fields.org_name,
            &fields.name,
            &fields.email,
            hash,
            &fields.time_zone,
        )
        .await?;
        txn.commit().await?;
        self.queue().wake();
        tracing::info!(org = %org_id, "first-run setup created the first organization");
        let session = self.start_session(user_id, org_id, "setup", meta).await?;
        Ok(SetupDone {
            org_id,
            user_id,
            session,
        })
    }
}

/// Inserts an org, its owner and the membership, with their events, in the caller's
/// transaction.
pub(crate) async fn create_org_with_owner(
    app: &App,
    txn: &impl ConnectionTrait,
    org_name: &OrgName,
    name: &DisplayName,
    email: &Email,
    password_hash: String,
    time_zone: &TimeZoneName,
) -> AppResult<(OrgId, UserId)> {
    let now = app.clock().now();
    let slug = free_slug(txn, OrgSlug::from_name(org_name)).await?;
    let org = orgs::insert(txn, OrgId::new(), org_name, &slug, now).await?;
    let scope = system_scope(org.id);
    let new_user = users::NewUser {
        id: UserId::new(),
        email,
        name,
        password_hash: Some(password_hash),
        time_zone,
        locale: "en",
    };
    let user = users::insert(txn, new_user, now)
        .await
        .map_err(|e| match e {
            rapport_store::StoreError::Conflict(_) => {
                AppError::Conflict("an account with this email already exists".into())
            }
            other => other.into(),
        })?;
    memberships::add(txn, scope, user.id, Role::Owner, None, now).await?;
    let who = crate::audit::Who {
        user_id: Some(user.id),
        label: user.email.clone(),
        meta: Default::default(),
    };
    app.audit(
        txn,
        scope,
        &who,
        crate::audit::AuditEvent::new("org.created", "org", org.id)
            .with(serde_json::json!({ "name": org.name, "owner": user.email })),
    )
    .await?;
    outbox::record(
        txn,
        scope,
        EventKind::OrgCreated,
        serde_json::json!({ "org_id": org.id, "name": org.name }),
        now,
    )
    .await?;
    outbox::record(
        txn,
        scope,
        EventKind::UserCreated,
        serde_json::json!({ "user_id": user.id }),
        now,
    )
    .await?;
    outbox::record(
        txn,
        scope,
        EventKind::MemberAdded,
        serde_json::json!({ "user_id": user.id, "role": Role::Owner }),
        now,
    )
    .await?;
    Ok((org.id, user.id))
}

/// `slug`, or `slug-2`, `slug-3`… whichever is free.
async fn free_slug(db: &impl ConnectionTrait, slug: OrgSlug) -> AppResult<OrgSlug> {
    if !orgs::slug_taken(db, &slug).await? {
        return Ok(slug);
    }
    for n in 2..1000 {
        let candidate = OrgSlug::parse(&format!("{}-{n}", slug.as_str()))?;
        if !orgs::slug_taken(db, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(AppError::Conflict("no free organization slug".into()))
}
