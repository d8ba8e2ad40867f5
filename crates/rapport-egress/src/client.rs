//! The guarded HTTP client. Names are resolved by [`GuardedResolver`], which hands the
//! connector only the addresses the policy permits, so the check and the connection use the
//! same addresses (no DNS rebinding between them). Redirects are not followed (each hop would
//! need the same check, and a webhook receiver has no reason to redirect), proxy variables are
//! ignored (a proxy would resolve names where the guard cannot see), and at most
//! [`MAX_ANSWER_BYTES`] of an answer are read.

use crate::EgressError;
use crate::policy::EgressPolicy;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How much of an answer is kept (for the delivery log).
pub const MAX_ANSWER_BYTES: usize = 4096;
/// The longest wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What the far end answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The start of the body (lossy UTF-8, at most [`MAX_ANSWER_BYTES`] unless the caller
    /// asked to keep more).
    pub excerpt: String,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why the resolver refused a name (found again in reqwest's error chain).
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("no address")]
    Unresolved,
    #[error("private address")]
    Private,
}

/// Resolves with the system resolver and keeps only permitted addresses.
struct GuardedResolver {
    policy: Arc<EgressPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_ascii_lowercase();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|_| Refusal::Unresolved)?
                .collect();
            if found.is_empty() {
                return Err(Refusal::Unresolved.into());
            }
            let permitted: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| policy.permits(&host, a.ip()))
                .collect();
            if permitted.is_empty() {
                return Err(Refusal::Private.into());
            }
            let addrs: Addrs = Box::new(permitted.into_iter());
            Ok(addrs)
        })
    }
}

/// The one outbound HTTP client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EgressClient {
    http: reqwest::Client,
    policy: Arc<EgressPolicy>,
    timeout: Duration,
}

impl EgressClient {
    /// A client that applies `policy` and gives every call `timeout` in all.
    pub fn new(policy: EgressPolicy, timeout: Duration) -> Result<Self, EgressError> {
        let policy = Arc::new(policy);
        let http = reqwest::Client::builder()
            .dns_resolver(GuardedResolver {
                policy: policy.clone(),
            })
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            .user_agent(concat!("Rapport/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EgressError::Failed {
                host: String::new(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            policy,
            timeout,
        })
    }

    /// The policy this client applies.
    pub fn policy(&self) -> &EgressPolicy {
        &self.policy
    }

    /// POSTs `body` to `url` with `headers`; any HTTP answer (also 4xx/5xx and 3xx, which is
    /// not followed) is an [`Answer`], a refused target or network failure an error.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Answer, EgressError> {
        self.post_keeping(url, headers, body, MAX_ANSWER_BYTES)
            .await
    }

    /// [`EgressClient::post`] keeping up to `keep` bytes of the answer (an API answer that is
    /// read, not just logged: an OAuth token response with JWTs runs to several kilobytes).
    pub async fn post_keeping(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
        keep: usize,
    ) -> Result<Answer, EgressError> {
        let target = self.policy.target(url)?;
        let mut request = self.http.post(target.url.clone()).body(body);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let host = target.host;
        let mut response = request.send().await.map_err(|e| self.failure(&host, &e))?;
        let status = response.status().as_u16();
        let mut kept = Vec::new();
        while kept.len() < keep {
            match response.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
                Ok(None) => break,
                // The status is what counts; a body cut short does not change it.
                Err(_) => break,
            }
        }
        kept.truncate(keep);
        Ok(Answer {
            status,
            excerpt: String::from_utf8_lossy(&kept).into_owned(),
        })
    }

    fn failure(&self, host: &str, e: &reqwest::Error) -> EgressError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(err) = source {
            if let Some(refusal) = err.downcast_ref::<Refusal>() {
                return match refusal {
                    Refusal::Unresolved => EgressError::Resolve { host: host.into() },
                    Refusal::Private => EgressError::Private { host: host.into() },
                };
            }
            source = err.source();
        }
        if e.is_timeout() {
            return EgressError::Timeout {
                host: host.into(),
                seconds: self.timeout.as_secs().max(1),
            };
        }
        let reason = innermost(e);
        if e.is_connect() {
            EgressError::Connect {
                host: host.into(),
                reason,
            }
        } else {
            EgressError::Failed {
                host: host.into(),
                reason,
            }
        }
    }
}

/// The most specific message in an error chain ("Connection refused", not "error sending
/// request").
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::post;

    async fn receiver() -> (String, tokio::task::JoinHandle<()>) {
        let app = axum::Router::new()
            .route(
                "/ok",
                post(|body: String| async move { format!("got {body}") }),
            )
            .route(
                "/moved",
                post(|| async { axum::response::Redirect::temporary("http://10.0.0.1/") }),
            )
            .route("/big", post(|| async { "x".repeat(100_000) }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        (format!("127.0.0.1:{port}"), task)
    }

    fn client(allow_private: bool) -> EgressClient {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let policy = EgressPolicy {
            allow_private,
            ..Default::default()
        };
        EgressClient::new(policy, Duration::from_secs(5)).unwrap()
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed_also_through_a_name() {
        let (addr, _task) = receiver().await;
        let port = addr.rsplit(':').next().unwrap();
        let guarded = client(false);
        for url in [
            format!("http://{addr}/ok"),
            format!("http://localhost:{port}/ok"),
        ] {
            let err = guarded.post(&url, &[], b"hi".to_vec()).await.unwrap_err();
            assert!(matches!(err, EgressError::Private { .. }), "{url}: {err:?}");
            assert!(!err.is_temporary());
        }
        let answer = client(true)
            .post(&format!("http://localhost:{port}/ok"), &[], b"hi".to_vec())
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.excerpt, "got hi");
    }

    #[tokio::test]
    async fn redirects_are_not_followed_and_answers_are_capped() {
        let (addr, _task) = receiver().await;
        let open = client(true);
        let moved = open
            .post(&format!("http://{addr}/moved"), &[], Vec::new())
            .await
            .unwrap();
        assert_eq!(moved.status, 307);
        let big = open
            .post(&format!("http://{addr}/big"), &[], Vec::new())
            .await
            .unwrap();
        assert_eq!(big.excerpt.len(), MAX_ANSWER_BYTES);
    }

    #[tokio::test]
    async fn a_closed_port_is_a_temporary_connection_failure() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let err = client(true)
            .post(&format!("http://127.0.0.1:{port}/"), &[], Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(err, EgressError::Connect { .. }), "{err:?}");
        assert!(err.is_temporary());
    }
}
