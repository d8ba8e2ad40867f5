//! Running an upload: everything is validated and decided first; then either nothing is
//! written (errors without `skip_invalid`, or a dry run) or all rows are written in one
//! transaction with the import's audit entry and report.

use super::mapping::{self, Target};
use super::rows::Rules;
use super::view::{self, ImportResult};
use super::{MAX_REPORTED_ERRORS, RunInput, country, read_table};
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{EventKind, ImportId, Permission};
use rapport_store::repo::crm_import as store;

impl App {
    /// Runs an upload: validates everything, then writes all rows in one transaction, or none
    /// (needs `contacts.write`).
    pub async fn run_import(
        &self,
        actor: &Actor,
        id: ImportId,
        input: RunInput,
    ) -> AppResult<ImportResult> {
        actor.require(Permission::ContactsWrite)?;
        let db = self.db().conn();
        let scope = actor.scope();
        let record = store::get(db, scope, id).await?;
        if record.status != "uploaded" {
            return Err(AppError::Conflict(
                "this import has already run; upload the file again".into(),
            ));
        }
        let content = store::content(db, scope, id).await?;
        let text = String::from_utf8(content).map_err(|e| AppError::Internal(e.to_string()))?;
        let table = read_table(&record.format, &text)?;
        let default_country = match input.default_country.as_deref() {
            Some(c) => country(Some(c))?,
            None => record.report["default_country"].as_str().map(str::to_owned),
        };
        let rules = self.import_rules(actor, default_country).await?;
        let mapping = match (&table.fixed_mapping, &input.mapping) {
            (Some(fixed), _) => fixed.clone(),
            (None, Some(names)) => parse_mapping(names, &rules)?,
            (None, None) => view::stored_mapping(&record.report, &rules, table.headers.len()),
        };
        mapping::check(&mapping, table.headers.len())
            .map_err(|m| AppError::InvalidInput(vec![("mapping".into(), m)]))?;
        let plan = self
            .plan_import(actor, &table, &mapping, &rules, input.on_duplicate)
            .await?;
        let refused = !plan.errors.is_empty() && !input.skip_invalid;
        let write = !refused && !input.dry_run;
        let mut result = ImportResult {
            id: id.as_uuid(),
            status: if write {
                "completed".into()
            } else {
                "uploaded".into()
            },
            dry_run: input.dry_run,
            imported: if refused { 0 } else { plan.creates.len() },
            updated: if refused { 0 } else { plan.updates.len() },
            skipped: if refused {
                0
            } else {
                plan.invalid_rows + plan.duplicates_skipped
            },
            invalid_rows: plan.invalid_rows,
            error_count: plan.errors.len(),
            errors: plan
                .errors
                .iter()
                .take(MAX_REPORTED_ERRORS)
                .cloned()
                .collect(),
        };
        let mut report = record.report.clone();
        report["mapping"] = serde_json::json!(mapping.iter().map(Target::name).collect::<Vec<_>>());
        if input.dry_run {
            return Ok(result);
        }
        let now = self.clock().now();
        if !write {
            report["result"] =
                serde_json::to_value(&result).map_err(|e| AppError::Internal(e.to_string()))?;
            store::save_report(db, scope, id, "uploaded", report, now).await?;
            return Ok(result);
        }
        let txn = self.db().begin().await?;
        let by = actor.user_id;
        store::insert_companies(&txn, scope, &plan.companies, by, now).await?;
        store::insert_contacts(&txn, scope, &plan.creates, by, now).await?;
        for u in &plan.updates {
            store::update_contact(&txn, scope, u, now).await?;
        }
        // One audit entry per import, not one timeline entry per contact: 100,000 activities
        // would double the write (and the timeline would open with "imported" on every
        // contact, which says nothing the created date does not). The audit entry names the
        // import, whose report keeps the counts and the errors.
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("crm.import_completed", "import", id).with(serde_json::json!({
                "filename": record.filename,
                "imported": result.imported,
                "updated": result.updated,
                "skipped": result.skipped,
                "companies_created": plan.companies.len(),
            })),
        )
        .await?;
        // Subscribers (automation, webhooks) get the import as one event with the counts; the
        // contacts it created carry no event of their own, like the timeline.
        rapport_store::outbox::record(
            &txn,
            scope,
            EventKind::ImportCompleted,
            serde_json::json!({
                "import_id": id,
                "imported": result.imported,
                "updated": result.updated,
                "skipped": result.skipped,
                "companies_created": plan.companies.len(),
            }),
            now,
        )
        .await?;
        result.status = "completed".into();
        report["result"] =
            serde_json::to_value(&result).map_err(|e| AppError::Internal(e.to_string()))?;
        store::save_report(&txn, scope, id, "completed", report, now).await?;
        txn.commit().await?;
        Ok(result)
    }
}

pub(super) fn parse_mapping(names: &[String], rules: &Rules) -> AppResult<Vec<Target>> {
    let keys: Vec<String> = rules.custom.iter().map(|c| c.key.clone()).collect();
    let mut bad = Vec::new();
    let targets: Vec<Target> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Target::parse(n, &keys).unwrap_or_else(|| {
                bad.push((
                    format!("mapping[{i}]"),
                    format!("\"{n}\" is not a field you can import into"),
                ));
                Target::Ignore
            })
        })
        .collect();
    if bad.is_empty() {
        Ok(targets)
    } else {
        Err(AppError::InvalidInput(bad))
    }
}
