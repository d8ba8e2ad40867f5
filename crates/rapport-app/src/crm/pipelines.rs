//! Pipelines and their stages: reading them (anyone who reads deals) and shaping them (those
//! who manage settings). A new org gets the default "Sales" pipeline on first access. A stage
//! pipeline's stages are shaped in `stages.rs`.

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult, FieldErrors};
use rapport_domain::crm::Currency;
use rapport_domain::{DomainError, Permission, PipelineId, bounded_text};
use rapport_store::StoreError;
use rapport_store::repo::pipelines::{self, DEFAULT_STAGES, PipelineRecord};

/// The currency of the default pipeline (members change it in pipeline settings).
pub const DEFAULT_CURRENCY: &str = "USD";
/// Most pipelines one org may have.
pub const MAX_PIPELINES: usize = 50;

/// A stage as a member describes it.
#[derive(Debug, Clone, Default)]
pub struct StageInput {
    /// Name.
    pub name: Option<String>,
    /// Win probability in percent.
    pub probability: Option<i32>,
    /// `open`, `won` or `lost`.
    pub kind: Option<String>,
    /// Where it goes (0 first); none means last / unchanged.
    pub position: Option<usize>,
}

fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Conflict("a pipeline with this name already exists".into())
        }
        other => other.into(),
    }
}

impl App {
    /// Creates the default pipeline when the org has none yet (idempotent, race-safe).
    pub(crate) async fn ensure_pipeline(&self, actor: &Actor) -> AppResult<()> {
        pipelines::ensure_default(
            self.db(),
            actor.scope(),
            DEFAULT_CURRENCY,
            self.clock().now(),
        )
        .await?;
        Ok(())
    }

    /// The org's pipelines with their stages (the default one is created on first access).
    pub async fn pipelines(&self, actor: &Actor) -> AppResult<Vec<PipelineRecord>> {
        actor.require(Permission::DealsRead)?;
        self.ensure_pipeline(actor).await?;
        Ok(pipelines::list(self.db().conn(), actor.scope()).await?)
    }

    /// One pipeline with its stages.
    pub async fn pipeline(&self, actor: &Actor, id: PipelineId) -> AppResult<PipelineRecord> {
        actor.require(Permission::DealsRead)?;
        Ok(pipelines::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// Creates a pipeline; without stages it gets the default ones to start from.
    pub async fn create_pipeline(
        &self,
        actor: &Actor,
        name: &str,
        currency: &str,
        stages: &[StageInput],
    ) -> AppResult<PipelineRecord> {
        actor.require(Permission::SettingsManage)?;
        let mut errors = FieldErrors::default();
        let name = errors.check(bounded_text("name", name, 100));
        let currency = errors.check(Currency::parse(if currency.trim().is_empty() {
            DEFAULT_CURRENCY
        } else {
            currency
        }));
        if stages.len() > super::stages::MAX_STAGES {
            errors.push(DomainError::Invalid {
                field: "stages",
                reason: "a pipeline has at most 30 stages",
            });
        }
        errors.finish()?;
        let (Some(name), Some(currency)) = (name, currency) else {
            return Err(AppError::Internal("pipeline validation".into()));
        };
        let mut valid = Vec::new();
        for s in stages {
            valid.push(super::stages::new_stage(s)?);
        }
        if valid.is_empty() {
            valid = DEFAULT_STAGES
                .iter()
                .map(|(n, p, k)| ((*n).to_owned(), *p, *k))
                .collect();
        }
        self.ensure_pipeline(actor).await?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let id = pipelines::insert(&txn, scope, &name, currency.as_str(), now)
            .await
            .map_err(name_taken)?;
        if pipelines::list(&txn, scope).await?.len() > MAX_PIPELINES {
            return Err(AppError::Conflict("an org has at most 50 pipelines".into()));
        }
        for (i, (n, p, k)) in valid.iter().enumerate() {
            pipelines::insert_stage(&txn, scope, id, n, i as i32, *p, *k, now).await?;
        }
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("pipeline.created", "pipeline", id)
                .with(serde_json::json!({ "name": name, "currency": currency.as_str() })),
        )
        .await?;
        txn.commit().await?;
        self.pipeline(actor, id).await
    }

    /// Renames a pipeline or changes the currency new deals default to.
    pub async fn update_pipeline(
        &self,
        actor: &Actor,
        id: PipelineId,
        name: Option<&str>,
        currency: Option<&str>,
    ) -> AppResult<PipelineRecord> {
        actor.require(Permission::SettingsManage)?;
        let current = pipelines::get(self.db().conn(), actor.scope(), id).await?;
        let mut errors = FieldErrors::default();
        let name = match name {
            Some(n) => errors.check(bounded_text("name", n, 100)),
            None => Some(current.name.clone()),
        };
        let currency = match currency {
            Some(c) => errors
                .check(Currency::parse(c))
                .map(|c| c.as_str().to_owned()),
            None => Some(current.currency.clone()),
        };
        errors.finish()?;
        let (Some(name), Some(currency)) = (name, currency) else {
            return Err(AppError::Internal("pipeline validation".into()));
        };
        let txn = self.db().begin().await?;
        pipelines::update(
            &txn,
            actor.scope(),
            id,
            &name,
            &currency,
            self.clock().now(),
        )
        .await
        .map_err(name_taken)?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("pipeline.updated", "pipeline", id)
                .with(serde_json::json!({ "name": name, "currency": currency })),
        )
        .await?;
        txn.commit().await?;
        self.pipeline(actor, id).await
    }

    /// Deletes an empty pipeline (never the org's last one).
    pub async fn delete_pipeline(&self, actor: &Actor, id: PipelineId) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        pipelines::touch(&txn, scope, id, self.clock().now()).await?;
        let all = pipelines::list(&txn, scope).await?;
        let Some(p) = all.iter().find(|p| p.id == id) else {
            return Err(AppError::NotFound);
        };
        if all.len() == 1 {
            return Err(AppError::Conflict(
                "the last pipeline cannot be deleted".into(),
            ));
        }
        if pipelines::deals_in_pipeline(&txn, scope, id).await? > 0 {
            return Err(AppError::Conflict(
                "this pipeline still holds deals; move or delete them first".into(),
            ));
        }
        pipelines::delete(&txn, scope, id).await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("pipeline.deleted", "pipeline", id)
                .with(serde_json::json!({ "name": p.name })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
