//! A member's own profile: display name and time zone (dates render in it everywhere), and
//! what the account pages need to know about this server's capabilities.

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppResult, FieldErrors};
use rapport_domain::{DisplayName, DomainError, TimeZoneName};
use rapport_store::repo::users;

/// A tz name that the tz database knows (the domain checks only its shape).
fn known_time_zone(tz: TimeZoneName) -> Result<TimeZoneName, DomainError> {
    if tz.as_str().parse::<chrono_tz::Tz>().is_ok() {
        Ok(tz)
    } else {
        Err(DomainError::Invalid {
            field: "time_zone",
            reason: "unknown time zone",
        })
    }
}

impl App {
    /// Changes the actor's display name and time zone; reports every invalid field at once.
    pub async fn update_profile(
        &self,
        actor: &Actor,
        name: &str,
        time_zone: &str,
    ) -> AppResult<()> {
        let mut errors = FieldErrors::default();
        let name = errors.check(DisplayName::parse(name));
        let time_zone = errors.check(TimeZoneName::parse(time_zone).and_then(known_time_zone));
        errors.finish()?;
        let (Some(name), Some(time_zone)) = (name, time_zone) else {
            return Err(crate::AppError::Internal(
                "validation state mismatch".into(),
            ));
        };
        let txn = self.db().begin().await?;
        users::update_profile(&txn, actor.user_id, &name, &time_zone, self.clock().now()).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("user.profile_updated", "user", actor.user_id).with(
                serde_json::json!({ "name": name.as_str(), "time_zone": time_zone.as_str() }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether security keys and passkeys can be registered here (WebAuthn needs the public
    /// URL to name a domain, not an IP address). Saves starting a ceremony just to find out.
    pub fn security_keys_supported(&self) -> bool {
        self.webauthn().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_must_exist() {
        assert!(known_time_zone(TimeZoneName::parse("Europe/Berlin").unwrap()).is_ok());
        assert!(known_time_zone(TimeZoneName::parse("Mars/Olympus").unwrap()).is_err());
    }
}
