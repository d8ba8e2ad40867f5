//! What an operator does from the command line, with no one signed in: create an org with its
//! owner, rotate the vault's key-encryption key, verify the audit log (see `audit`).

use crate::auth::password;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::setup::create_org_with_owner;
use crate::vault::Rotation;
use rapport_domain::{DisplayName, Email, OrgId, OrgName, Password, TimeZoneName};

impl App {
    /// Creates an org and its owner account (`rapport admin create-org`).
    pub async fn create_org_as_operator(
        &self,
        org_name: &str,
        owner_email: &str,
        owner_password: &str,
    ) -> AppResult<OrgId> {
        let mut errors = crate::error::FieldErrors::default();
        let name = errors.check(OrgName::parse(org_name));
        let email = errors.check(Email::parse(owner_email));
        let pw = errors.check(Password::parse(owner_password));
        errors.finish()?;
        let (Some(name), Some(email), Some(pw)) = (name, email, pw) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let display = DisplayName::parse(email.as_str().split('@').next().unwrap_or("Owner"))?;
        let hash = password::hash(pw).await.map_err(AppError::Internal)?;
        let txn = self.db().begin().await?;
        let (org, _) = create_org_with_owner(
            self,
            &txn,
            &name,
            &display,
            &email,
            hash,
            &TimeZoneName::utc(),
        )
        .await?;
        txn.commit().await?;
        self.queue().wake();
        Ok(org)
    }

    /// Installs a new key-encryption key and rewraps every data key under it, then retires
    /// the old key (`rapport admin rotate-keys`). Running servers pick the new key up on
    /// their next unwrap; data sealed under the data keys is untouched.
    pub async fn rotate_keys(&self, keep_old: bool) -> AppResult<(String, Rotation)> {
        let kek = match self.install_new_kek_if_local() {
            Some(result) => result?,
            None => self.vault().current_kek_id(),
        };
        let rotation = self.vault().rewrap_all(self.db()).await?;
        // A second pass catches keys another process created under the old KEK meanwhile.
        let again = self.vault().rewrap_all(self.db()).await?;
        if !keep_old {
            self.vault().retire_previous()?;
        }
        Ok((
            kek,
            Rotation {
                rewrapped: rotation.rewrapped + again.rewrapped,
                unchanged: rotation.unchanged,
            },
        ))
    }

    fn install_new_kek_if_local(&self) -> Option<AppResult<String>> {
        match self.vault().install_new_kek() {
            Err(AppError::Conflict(_)) => None,
            other => Some(other),
        }
    }
}
