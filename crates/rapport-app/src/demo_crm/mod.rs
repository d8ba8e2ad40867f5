//! The demo CRM: `serve --demo` fills the demo org with the dataset of [`data`] through the
//! same use cases the UI and API call (validation, timeline entries and events included), so
//! what a newcomer explores is exactly what real use produces.

pub mod data;

use crate::authz::{Actor, RequestMeta, Via};
use crate::context::App;
use crate::crm::companies::CompanyPatch;
use crate::crm::contacts::{ContactPatch, PhoneInput};
use crate::crm::deal_fields::DealPatch;
use crate::crm::deal_moves::MoveInput;
use crate::crm::tasks::{Remind, TaskInput};
use crate::error::{AppError, AppResult};
use chrono::Duration;
use rapport_domain::crm::RecordType;
use rapport_domain::{CompanyId, DealId, OrgId, UserId};
use rapport_store::repo::memberships;

/// How much the demo seeds: 60 companies with five people each (plus 30 on free mail).
const COMPANIES: usize = 60;
const PER_COMPANY: usize = 5;

impl App {
    /// Seeds the demo org's CRM as its owner. Runs once, when the demo org is created.
    pub async fn seed_demo_crm(&self, org: OrgId, owner: UserId) -> AppResult<()> {
        let access = memberships::access_of(self.db().conn(), org, owner)
            .await?
            .ok_or(AppError::NotFound)?;
        let actor = Actor {
            user_id: owner,
            org_id: org,
            role: access.role,
            access,
            via: Via::Seed,
            time_zone: "UTC".into(),
            locale: "en".into(),
            name: "Dana Demo".into(),
            email: crate::demo::DEMO_EMAIL.into(),
            meta: RequestMeta::default(),
        };
        let data = data::generate(COMPANIES, PER_COMPANY);
        let mut companies: Vec<CompanyId> = Vec::new();
        for c in &data.companies {
            let rec = self
                .create_company(
                    &actor,
                    &CompanyPatch {
                        name: Some(c.name.clone()),
                        domains: Some(vec![c.domain.clone()]),
                        industry: Some(Some(c.industry.into())),
                        size: Some(Some(c.size.into())),
                        city: Some(Some(c.city.into())),
                        country: Some(Some(c.country.into())),
                        owner_id: Some(Some(owner)),
                        ..Default::default()
                    },
                )
                .await?;
            companies.push(rec.id);
        }
        let mut contacts = Vec::new();
        for p in &data.contacts {
            let rec = self
                .create_contact(
                    &actor,
                    &ContactPatch {
                        first_name: Some(p.first_name.into()),
                        last_name: Some(p.last_name.into()),
                        title: Some(Some(p.title.into())),
                        owner_id: Some(Some(owner)),
                        lifecycle_stage: Some(p.stage.into()),
                        source: Some(Some(p.source.into())),
                        emails: Some(vec![p.email.clone()]),
                        phones: Some(
                            p.phone
                                .iter()
                                .map(|n| PhoneInput {
                                    number: n.clone(),
                                    label: Some("work".into()),
                                })
                                .collect(),
                        ),
                        tags: Some(p.tags.iter().map(|t| (*t).to_owned()).collect()),
                        company_id: p.company.map(|i| Some(companies[i])),
                        consent_marketing: Some(p.tags.contains(&"newsletter")),
                        ..Default::default()
                    },
                )
                .await?;
            contacts.push(rec.id);
        }
        let pipeline = self
            .pipelines(&actor)
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        let today = self.clock().now().date_naive();
        for d in &data.deals {
            let Some(stage) = pipeline.stages.get(d.stage) else {
                continue;
            };
            let deal = self
                .create_deal(
                    &actor,
                    &DealPatch {
                        title: Some(d.title.clone()),
                        pipeline_id: Some(pipeline.id),
                        amount_minor: Some(Some(d.amount * 100)),
                        currency: Some("USD".into()),
                        expected_close_on: Some(Some(
                            (today + Duration::days(d.close_in_days)).to_string(),
                        )),
                        owner_id: Some(Some(owner)),
                        company_id: Some(Some(companies[d.company].as_uuid())),
                        contact_ids: Some(
                            d.contacts.iter().map(|i| contacts[*i].as_uuid()).collect(),
                        ),
                        ..Default::default()
                    },
                )
                .await?;
            let id: DealId = deal.deal.id;
            if d.stage > 0 {
                self.move_deal(
                    &actor,
                    id,
                    &MoveInput {
                        stage: stage.id,
                        place: None,
                        lost_reason: d.lost_reason.map(str::to_owned),
                    },
                )
                .await?;
            }
        }
        for n in &data.notes {
            self.create_note(
                &actor,
                (RecordType::Contact, contacts[n.contact].as_uuid()),
                &n.body,
            )
            .await?;
        }
        let now = self.clock().now();
        for t in &data.tasks {
            let view = self
                .create_task(
                    &actor,
                    &TaskInput {
                        title: t.title.clone(),
                        body: String::new(),
                        due_at: Some(now + Duration::hours(t.due_in_hours)),
                        assignee: Some(owner),
                        remind: Remind::Never,
                        links: vec![(RecordType::Contact, contacts[t.contact].as_uuid())],
                    },
                )
                .await?;
            if t.done {
                self.set_task_done(&actor, view.task.id, true).await?;
            }
        }
        self.seed_demo_inbox(&actor, &data.contacts).await?;
        Ok(())
    }
}
