//! Live updates for agents' screens: `GET /api/v1/realtime` is a server-sent event stream of
//! the inbox's committed events and colleagues' presence, and
//! `POST /api/v1/conversations/{id}/presence` announces what the caller does in a
//! conversation. The app decides what each stream may see; this file only frames it.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use rapport_app::realtime::{LiveUpdate, PresenceState, Viewer};
use rapport_domain::ConversationId;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A stream ends after this long; the browser's `EventSource` reconnects at once, which
/// re-checks the session (a revoked session stops receiving within this bound).
const STREAM_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Comment lines that keep proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Milliseconds the browser waits before reconnecting.
const RETRY: Duration = Duration::from_secs(2);

/// Server-sent events: `ready` once attached, then `message.created`, `message.updated`,
/// `conversation.created|updated|assigned`, `inbox.*` (data: `{at, payload}` with ids),
/// `presence` (`{conversation_id, user_id, name, state, at}`) and `resync` (signals were
/// missed: reload). Needs `conversations.read`.
#[utoipa::path(get, path = "/realtime", tag = "conversations",
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = String),
        (status = 403, description = "Missing conversations.read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn stream(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let viewer = state.app.realtime_viewer(&actor)?;
    let rx = state.app.realtime().subscribe();
    let ready = Viewer::ready(state.app.clock().now());
    let deadline = tokio::time::Instant::now() + STREAM_LIFETIME;
    let first = futures::stream::once(async move { Ok(frame(ready).retry(RETRY)) });
    let rest = futures::stream::unfold((rx, viewer), move |(mut rx, viewer)| async move {
        loop {
            let update = match tokio::time::timeout_at(deadline, rx.recv()).await {
                Err(_elapsed) => return None,
                Ok(Err(RecvError::Closed)) => return None,
                Ok(Err(RecvError::Lagged(_))) => Viewer::resync(),
                Ok(Ok(signal)) => match viewer.view(&signal) {
                    Some(update) => update,
                    None => continue,
                },
            };
            return Some((Ok(frame(update)), (rx, viewer)));
        }
    });
    Ok(Sse::new(futures::StreamExt::chain(first, rest))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

fn frame(update: LiveUpdate) -> Event {
    let event = Event::default()
        .event(update.name)
        .data(update.data.to_string());
    match update.id {
        Some(id) => event.id(id),
        None => event,
    }
}

/// What the caller does in a conversation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceBody {
    /// `viewing`, `typing` or `left`.
    #[schema(value_type = String, example = "viewing")]
    pub state: PresenceState,
}

/// Announces presence to colleagues' live streams (needs `conversations.read`). Send
/// `viewing` every few seconds while the conversation is open; it is forgotten after 30 s.
#[utoipa::path(post, path = "/conversations/{id}/presence", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Conversation id")),
    request_body = PresenceBody,
    responses(
        (status = 204, description = "Announced"),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn announce(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(body): ApiJson<PresenceBody>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .announce_presence(&actor, ConversationId::from_uuid(id), body.state)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
