//! Invitations: an admin invites an email address with a role; the emailed link (≥ 256-bit
//! token, stored hashed, single use, expiring after 7 days) lets the person create their
//! account — or, already having one, join with it.

use super::check_grant;
use crate::audit::{AuditEvent, Who};
use crate::auth::{SignInStep, password, token};
use crate::authz::{Actor, RequestMeta, system_scope};
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{
    DisplayName, Email, EventKind, InvitationId, Password, Permission, Role, RoleId, TimeZoneName,
    UserId,
};
use rapport_store::outbox;
use rapport_store::repo::invitations::{self, InvitationRecord, NewInvitation};
use rapport_store::repo::{memberships, orgs, roles, users};

const VALID_DAYS: i64 = 7;

/// An invitation just sent: the record and the link (shown to the admin once, to copy when
/// mail is not configured).
#[derive(Debug, Clone)]
pub struct SentInvitation {
    /// The stored invitation.
    pub invitation: InvitationRecord,
    /// The acceptance link.
    pub link: String,
    /// Whether it was emailed.
    pub emailed: bool,
}

/// What the acceptance page shows.
#[derive(Debug, Clone)]
pub struct InvitationPreview {
    /// The org's name.
    pub org_name: String,
    /// The invited address.
    pub email: String,
    /// The role on joining.
    pub role: Role,
    /// Whether an account with this email exists (then: sign in to join).
    pub account_exists: bool,
}

/// A new account's fields when accepting.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Display name.
    pub name: String,
    /// Password.
    pub password: String,
    /// IANA time zone.
    pub time_zone: String,
}

impl App {
    /// Invites `email` to the actor's org.
    pub async fn invite(
        &self,
        actor: &Actor,
        email: &str,
        role: Role,
        custom_role: Option<RoleId>,
    ) -> AppResult<SentInvitation> {
        actor.require(Permission::MembersManage)?;
        let email = Email::parse(email)?;
        let conn = self.db().conn();
        let scope = actor.scope();
        let granted = match custom_role {
            Some(id) => roles::get(conn, scope, id).await?.permissions,
            None => role.permissions(),
        };
        check_grant(actor, role, granted)?;
        if let Some(login) = users::find_for_login(conn, &email).await?
            && memberships::access_of(conn, actor.org_id, login.user.id)
                .await?
                .is_some()
        {
            return Err(AppError::Conflict("this person is already a member".into()));
        }
        let org = orgs::get(conn, scope).await?;
        let secret = token::generate();
        let link = self.link(&format!("/invite/{secret}"));
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let invitation = invitations::insert(
            &txn,
            scope,
            NewInvitation {
                email: email.as_str().to_owned(),
                role,
                custom_role,
                token_hash: token::digest(&secret),
                invited_by: actor.user_id,
                expires_at: now + chrono::Duration::days(VALID_DAYS),
            },
            now,
        )
        .await?;
        let emailed = self.can_send_mail();
        if emailed {
            let body = format!(
                "Hello,\n\n{who} invited you to join {org} on Rapport.\n\nAccept the invitation \
                 within {VALID_DAYS} days:\n\n{link}\n",
                who = actor.name,
                org = org.name,
            );
            self.queue_mail(
                &txn,
                Some(actor.org_id),
                email.as_str(),
                &format!("Join {} on Rapport", org.name),
                body,
            )
            .await?;
        }
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("member.invited", "invitation", invitation.id).with(
                serde_json::json!({
                    "email": email.as_str(), "role": role.as_str(), "custom_role": custom_role,
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        self.queue().wake();
        Ok(SentInvitation {
            invitation,
            link,
            emailed,
        })
    }

    /// Open invitations of the org.
    pub async fn open_invitations(&self, actor: &Actor) -> AppResult<Vec<InvitationRecord>> {
        actor.require(Permission::MembersManage)?;
        Ok(invitations::list_open(self.db().conn(), actor.scope()).await?)
    }

    /// Withdraws an invitation.
    pub async fn revoke_invitation(&self, actor: &Actor, id: InvitationId) -> AppResult<()> {
        actor.require(Permission::MembersManage)?;
        let txn = self.db().begin().await?;
        invitations::revoke(&txn, actor.scope(), id, self.clock().now()).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("invitation.revoked", "invitation", id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    async fn live_invitation(&self, secret: &str) -> AppResult<InvitationRecord> {
        if secret.is_empty() || secret.len() > 128 {
            return Err(AppError::InvalidToken);
        }
        let found =
            invitations::find_by_token_hash(self.db().conn(), &token::digest(secret)).await?;
        match found {
            Some(i)
                if i.accepted_at.is_none()
                    && i.revoked_at.is_none()
                    && i.expires_at > self.clock().now() =>
            {
                Ok(i)
            }
            _ => Err(AppError::InvalidToken),
        }
    }

    /// What an invitation link offers.
    pub async fn preview_invitation(&self, secret: &str) -> AppResult<InvitationPreview> {
        let inv = self.live_invitation(secret).await?;
        let conn = self.db().conn();
        let org = orgs::get(conn, system_scope(inv.org_id)).await?;
        let email = Email::parse(&inv.email)?;
        Ok(InvitationPreview {
            org_name: org.name,
            account_exists: users::find_for_login(conn, &email).await?.is_some(),
            email: inv.email,
            role: inv.role,
        })
    }

    async fn join(
        &self,
        txn: &impl rapport_store::ConnectionTrait,
        inv: &InvitationRecord,
        user: UserId,
        email: &str,
        meta: &RequestMeta,
    ) -> AppResult<()> {
        let now = self.clock().now();
        if !invitations::mark_accepted(txn, inv.id, now).await? {
            return Err(AppError::InvalidToken);
        }
        let scope = system_scope(inv.org_id);
        memberships::add(txn, scope, user, inv.role, inv.custom_role, now).await?;
        outbox::record(
            txn,
            scope,
            EventKind::MemberAdded,
            serde_json::json!({ "user_id": user, "role": inv.role }),
            now,
        )
        .await?;
        let who = Who {
            user_id: Some(user),
            label: email.to_owned(),
            meta: meta.clone(),
        };
        self.audit(
            txn,
            scope,
            &who,
            AuditEvent::new("invitation.accepted", "invitation", inv.id)
                .with(serde_json::json!({ "role": inv.role.as_str() })),
        )
        .await
    }

    /// Accepts an invitation by creating the account it names; then signs in (or asks for a
    /// second factor when the org requires one).
    pub async fn accept_invitation(
        &self,
        secret: &str,
        account: NewAccount,
        meta: &RequestMeta,
    ) -> AppResult<SignInStep> {
        let inv = self.live_invitation(secret).await?;
        let mut errors = crate::error::FieldErrors::default();
        let name = errors.check(DisplayName::parse(&account.name));
        let pw = errors.check(Password::parse(&account.password));
        let tz = errors.check(TimeZoneName::parse(&account.time_zone));
        errors.finish()?;
        let (Some(name), Some(pw), Some(tz)) = (name, pw, tz) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let email = Email::parse(&inv.email)?;
        let hash = password::hash(pw).await.map_err(AppError::Internal)?;
        let txn = self.db().begin().await?;
        if users::find_for_login(&txn, &email).await?.is_some() {
            return Err(AppError::Conflict(
                "an account with this email exists: sign in, then open the link again".into(),
            ));
        }
        let now = self.clock().now();
        let new = users::NewUser {
            id: UserId::new(),
            email: &email,
            name: &name,
            password_hash: Some(hash),
            time_zone: &tz,
            locale: "en",
        };
        let user = users::insert(&txn, new, now).await?;
        outbox::record(
            &txn,
            system_scope(inv.org_id),
            EventKind::UserCreated,
            serde_json::json!({ "user_id": user.id }),
            now,
        )
        .await?;
        self.join(&txn, &inv, user.id, email.as_str(), meta).await?;
        txn.commit().await?;
        self.after_first_factor(user.id, inv.org_id, "password", meta)
            .await
    }

    /// Accepts an invitation with the signed-in account (its email must match); the session
    /// moves to the new org.
    pub async fn accept_invitation_as(&self, actor: &Actor, secret: &str) -> AppResult<()> {
        let inv = self.live_invitation(secret).await?;
        if !inv.email.eq_ignore_ascii_case(&actor.email) {
            return Err(AppError::Conflict(format!(
                "this invitation is for {}; sign in with that account",
                inv.email
            )));
        }
        let txn = self.db().begin().await?;
        self.join(&txn, &inv, actor.user_id, &actor.email, &actor.meta)
            .await?;
        txn.commit().await?;
        self.switch_org(actor, inv.org_id).await
    }
}
