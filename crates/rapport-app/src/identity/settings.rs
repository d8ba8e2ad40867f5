//! Org settings: the name, and whether every member must use a second factor.

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{OrgId, OrgName, Permission};
use rapport_store::repo::orgs::{self, OrgRecord, OrgSettings};
use rapport_store::repo::{memberships, sessions};

impl App {
    /// The actor's org.
    pub async fn org(&self, actor: &Actor) -> AppResult<OrgRecord> {
        Ok(orgs::get(self.db().conn(), actor.scope()).await?)
    }

    /// The actor's org, for the settings page (needs `settings.manage`).
    pub async fn org_settings(&self, actor: &Actor) -> AppResult<OrgRecord> {
        actor.require(Permission::SettingsManage)?;
        self.org(actor).await
    }

    /// The orgs the actor belongs to (for the switcher): id, name, role.
    pub async fn my_orgs(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<(OrgId, String, rapport_domain::Role)>> {
        Ok(memberships::orgs_of(self.db().conn(), actor.user_id).await?)
    }

    /// Changes org settings. Turning on "require two-factor" needs the actor to have a second
    /// factor, and ends every session in the org that was opened without one.
    /// `default_country` (ISO alpha-2, empty for none) is the region phone numbers typed
    /// without a country code are read in.
    pub async fn update_org_settings(
        &self,
        actor: &Actor,
        name: &str,
        require_mfa: bool,
        default_country: &str,
    ) -> AppResult<OrgRecord> {
        actor.require(Permission::SettingsManage)?;
        let name = OrgName::parse(name)?;
        let default_country = match default_country.trim().to_ascii_uppercase() {
            c if c.is_empty() => None,
            c if rapport_domain::crm::phone::is_region(&c) => Some(c),
            _ => {
                return Err(rapport_domain::DomainError::Invalid {
                    field: "default_country",
                    reason: "use a two-letter country code such as US or DE",
                }
                .into());
            }
        };
        let before = self.org(actor).await?;
        if require_mfa && !before.require_mfa && !self.has_second_factor(actor.user_id).await? {
            return Err(AppError::Conflict(
                "set up two-factor authentication for your own account first".into(),
            ));
        }
        let txn = self.db().begin().await?;
        orgs::update_settings(
            &txn,
            actor.scope(),
            &OrgSettings {
                name: name.clone(),
                require_mfa,
                default_country: default_country.clone(),
            },
            self.clock().now(),
        )
        .await?;
        let ended = if require_mfa && !before.require_mfa {
            sessions::delete_single_factor_in_org(&txn, actor.scope(), actor.session_id()).await?
        } else {
            0
        };
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("org.settings_updated", "org", actor.org_id).with(serde_json::json!({
                "name": { "from": before.name, "to": name.as_str() },
                "require_mfa": { "from": before.require_mfa, "to": require_mfa },
                "default_country": { "from": before.default_country, "to": default_country },
                "single_factor_sessions_ended": ended,
            })),
        )
        .await?;
        txn.commit().await?;
        self.org(actor).await
    }
}
