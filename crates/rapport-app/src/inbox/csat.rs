//! Customer satisfaction surveys (Chatwoot's and Help Scout's CSAT): when a conversation of an
//! inbox with surveys on is resolved, the customer is sent a link on the conversation's channel;
//! the public page behind it takes a 1–5 rating and a comment, stored on the conversation with
//! an activity line and a `conversation.rated` event. The link is a bearer token (stored as its
//! digest) that works for [`SURVEY_DAYS`] days and can change its answer until then.

use super::activity;
use crate::auth::token;
use crate::authz::system_scope;
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use rapport_domain::event::EventKind;
use rapport_domain::inbox::csat::{Rating, SURVEY_DAYS, comment};
use rapport_domain::inbox::{Direction, MessageKind};
use rapport_store::repo::conversations::{self, ConversationRecord};
pub use rapport_store::repo::csat::SurveyRecord;
use rapport_store::repo::messages::Sender;
use rapport_store::repo::{csat, inboxes, orgs};
use rapport_store::{DatabaseTransaction, OrgScope, StoreError};
use serde_json::json;

/// What the public survey page shows.
#[derive(Debug, Clone)]
pub struct SurveyView {
    /// Who asks.
    pub org_name: String,
    /// The conversation's number.
    pub number: i64,
    /// The answer so far.
    pub rating: Option<u8>,
    /// The comment so far.
    pub comment: Option<String>,
    /// Whether it can still be answered.
    pub open: bool,
}

impl App {
    /// Sends a survey for a conversation just resolved, when its inbox sends them and no
    /// survey of it is still waiting for an answer (in the caller's transaction).
    pub(crate) async fn send_csat(
        &self,
        txn: &DatabaseTransaction,
        scope: OrgScope,
        conv: &mut ConversationRecord,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let inbox = inboxes::get(txn, scope, conv.inbox_id).await?;
        if !inbox.csat_enabled {
            return Ok(());
        }
        let surveys = csat::for_conversation(txn, scope, conv.id).await?;
        if surveys
            .first()
            .is_some_and(|s| s.answered_at.is_none() && s.expires_at > now)
        {
            return Ok(());
        }
        let secret = token::generate();
        let expires = now + Duration::days(SURVEY_DAYS);
        csat::insert(txn, scope, conv.id, &token::digest(&secret), now, expires).await?;
        let org = orgs::get(txn, scope).await?;
        let link = self.link(&format!("/csat/{secret}"));
        let text = format!(
            "Thank you for contacting {}. How did we do? Rate this conversation from 1 to 5: {link}",
            org.name
        );
        let first_reply = conv.first_reply_at;
        let mut m = activity::entry(
            conv,
            MessageKind::Message,
            Direction::Outgoing,
            Sender::System,
            text,
            now,
        );
        m.metadata = json!({ "csat": true });
        activity::apply(conv, &m);
        // A survey is not the team's reply: the first-response clock stays as it was.
        conv.first_reply_at = first_reply;
        activity::save(txn, scope, conv).await?;
        activity::store(txn, scope, conv, &m).await?;
        self.enqueue_delivery(txn, scope.org_id(), m.id).await
    }

    async fn survey_of(&self, secret: &str) -> AppResult<SurveyRecord> {
        if secret.is_empty() || secret.len() > 200 {
            return Err(AppError::NotFound);
        }
        match csat::by_digest(self.db().conn(), &token::digest(secret)).await {
            Err(StoreError::NotFound) => Err(AppError::NotFound),
            other => Ok(other?),
        }
    }

    async fn view(&self, s: &SurveyRecord) -> AppResult<SurveyView> {
        let scope = system_scope(s.org_id);
        let db = self.db().conn();
        let org = orgs::get(db, scope).await?;
        let conv = conversations::get(db, scope, s.conversation_id).await?;
        Ok(SurveyView {
            org_name: org.name,
            number: conv.number,
            rating: s.rating,
            comment: s.comment.clone(),
            open: s.expires_at > self.clock().now(),
        })
    }

    /// The survey behind a link (anyone with the link; unknown links are `NotFound`).
    pub async fn csat_survey(&self, secret: &str) -> AppResult<SurveyView> {
        let s = self.survey_of(secret).await?;
        self.view(&s).await
    }

    /// Records the customer's answer (changing an earlier one is allowed while the link works).
    pub async fn answer_csat(
        &self,
        secret: &str,
        rating: &str,
        text: &str,
    ) -> AppResult<SurveyView> {
        let s = self.survey_of(secret).await?;
        let now = self.clock().now();
        if s.expires_at <= now {
            return Err(AppError::Conflict("this survey link has expired".into()));
        }
        let rating = Rating::parse(rating)?;
        let comment = comment(text)?;
        let scope = system_scope(s.org_id);
        let txn = self.db().begin().await?;
        csat::answer(&txn, scope, s.id, rating.value(), comment.as_deref(), now).await?;
        let mut conv = conversations::lock(&txn, scope, s.conversation_id).await?;
        let line = activity::line(
            &conv,
            Sender::Contact(conv.contact_id),
            "csat_rated",
            json!({ "rating": rating.value(), "comment": comment }),
            format!("The customer rated this conversation {}/5", rating.value()),
            now,
        );
        let id = conv.id;
        activity::record(
            &txn,
            scope,
            &mut conv,
            line,
            EventKind::ConversationRated,
            json!({ "conversation_id": id, "rating": rating.value() }),
        )
        .await?;
        txn.commit().await?;
        let s = self.survey_of(secret).await?;
        self.view(&s).await
    }
}
