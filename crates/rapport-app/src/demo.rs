//! `serve --demo`: seeds a demo organization with an owner whose login is printed at start,
//! so a newcomer sees a working product at once. Later features add their demo records here.

use crate::auth::password;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::setup::create_org_with_owner;
use rapport_domain::{DisplayName, Email, OrgName, Password, TimeZoneName};
use rapport_store::repo::users;

/// Email of the demo owner.
pub const DEMO_EMAIL: &str = "demo@rapport.example";

/// The login to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// Email.
    pub email: String,
    /// A fresh random password (set anew at every `--demo` start).
    pub password: String,
    /// Whether the org was created now (false: it existed and only the password was reset).
    pub created: bool,
}

impl App {
    /// Creates the demo org and owner if missing, and (re)sets the owner's password to a fresh
    /// random one.
    pub async fn seed_demo(&self) -> AppResult<DemoLogin> {
        let secret = format!("demo-{}", &crate::auth::token::generate()[..16]);
        let email = Email::parse(DEMO_EMAIL)?;
        let hash = password::hash(Password::parse(&secret)?)
            .await
            .map_err(AppError::Internal)?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let created = match users::find_for_login(&txn, &email).await? {
            Some(login) => {
                users::set_password_hash(&txn, login.user.id, hash, now).await?;
                None
            }
            None => Some(
                create_org_with_owner(
                    self,
                    &txn,
                    &OrgName::parse("Northwind Support (demo)")?,
                    &DisplayName::parse("Dana Demo")?,
                    &email,
                    hash,
                    &TimeZoneName::utc(),
                )
                .await?,
            ),
        };
        txn.commit().await?;
        if let Some((org, owner)) = created {
            self.seed_demo_crm(org, owner).await?;
        }
        self.queue().wake();
        Ok(DemoLogin {
            email: email.to_string(),
            password: secret,
            created: created.is_some(),
        })
    }
}
