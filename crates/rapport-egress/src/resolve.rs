//! Addresses for a non-HTTP connection (IMAP, SMTP) to a host an admin typed. The host is
//! checked for shape, resolved here, and only the addresses the policy permits are returned;
//! the caller connects to exactly those (not to the name again), so the check and the
//! connection use the same addresses and a name cannot resolve to a public address for the
//! check and to a private one for the connection.

use crate::EgressError;
use crate::policy::EgressPolicy;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The longest host name accepted (the DNS limit for a name in text form).
pub const MAX_HOST_CHARS: usize = 253;
/// The longest wait for the system resolver (a dead DNS server must not hold a sync forever).
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// The permitted addresses of `host` at `port`, in the resolver's order.
///
/// `host` is a name or an IP address (IPv6 with or without brackets), without a port. An
/// address is checked as it is; `localhost` and `*.localhost` are loopback without asking DNS
/// (RFC 6761); any other name is resolved and its refused addresses are dropped. Errors:
/// [`EgressError::Host`] for an empty or malformed host, [`EgressError::Resolve`] when the
/// name has no address, [`EgressError::Private`] when every address is refused,
/// [`EgressError::Timeout`] when the resolver does not answer.
pub async fn socket_addrs(
    policy: &EgressPolicy,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, EgressError> {
    match classify(host)? {
        Kind::Literal(ip) => {
            if policy.permits(host, ip) {
                Ok(vec![SocketAddr::new(ip, port)])
            } else {
                Err(EgressError::Private { host: host.into() })
            }
        }
        Kind::Loopback(name) => {
            // IPv4 first: local test servers and most local daemons listen there.
            let loopback = [
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ];
            keep_permitted(
                policy,
                host,
                &name,
                loopback.map(|ip| SocketAddr::new(ip, port)),
            )
        }
        Kind::Name(name) => {
            let lookup = tokio::net::lookup_host((name.as_str(), port));
            let found = tokio::time::timeout(RESOLVE_TIMEOUT, lookup)
                .await
                .map_err(|_| EgressError::Timeout {
                    host: host.into(),
                    seconds: RESOLVE_TIMEOUT.as_secs(),
                })?
                .map_err(|_| EgressError::Resolve { host: host.into() })?;
            let mut found: Vec<SocketAddr> = found.collect();
            // The resolver may list an address twice (once per protocol family entry).
            let mut seen = std::collections::HashSet::new();
            found.retain(|a| seen.insert(*a));
            if found.is_empty() {
                return Err(EgressError::Resolve { host: host.into() });
            }
            keep_permitted(policy, host, &name, found)
        }
    }
}

/// `addrs` that `policy` permits for `name`; [`EgressError::Private`] (naming `typed`) when
/// none is.
fn keep_permitted(
    policy: &EgressPolicy,
    typed: &str,
    name: &str,
    addrs: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, EgressError> {
    let permitted: Vec<SocketAddr> = addrs
        .into_iter()
        // An allowed host may be listed as typed or in its ASCII (IDNA) form.
        .filter(|a| policy.permits(typed, a.ip()) || policy.permits(name, a.ip()))
        .collect();
    if permitted.is_empty() {
        return Err(EgressError::Private { host: typed.into() });
    }
    Ok(permitted)
}

/// What a typed host is.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// An IP address.
    Literal(IpAddr),
    /// `localhost` or a name under it (lowercased).
    Loopback(String),
    /// Any other name, lowercased and in ASCII (IDNA) form, for the resolver.
    Name(String),
}

fn classify(host: &str) -> Result<Kind, EgressError> {
    if host.is_empty()
        || host.chars().count() > MAX_HOST_CHARS
        || host.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(EgressError::Host);
    }
    let unbracketed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(Kind::Literal(ip));
    }
    // The URL host parser rejects ports, paths, user names and other characters no host
    // has, converts international names to the ASCII form resolvers understand, and reads
    // the numeric IPv4 spellings (`2130706433`, `0x7f.1`) the system resolver would also
    // accept, so they are checked as the address they are.
    match url::Host::parse(host) {
        Ok(url::Host::Domain(name)) => {
            let name = name.to_ascii_lowercase();
            let bare = name.strip_suffix('.').unwrap_or(&name);
            if bare == "localhost" || bare.ends_with(".localhost") {
                Ok(Kind::Loopback(name))
            } else {
                Ok(Kind::Name(name))
            }
        }
        Ok(url::Host::Ipv4(ip)) => Ok(Kind::Literal(IpAddr::V4(ip))),
        Ok(url::Host::Ipv6(ip)) => Ok(Kind::Literal(IpAddr::V6(ip))),
        Err(_) => Err(EgressError::Host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny() -> EgressPolicy {
        EgressPolicy::default()
    }

    fn open() -> EgressPolicy {
        EgressPolicy {
            allow_private: true,
            ..Default::default()
        }
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn public_literals_pass_as_they_are_and_private_ones_are_refused() {
        let p = deny();
        assert_eq!(
            socket_addrs(&p, "93.184.216.34", 993).await.unwrap(),
            vec![addr("93.184.216.34:993")]
        );
        for v6 in ["2606:4700::1111", "[2606:4700::1111]"] {
            assert_eq!(
                socket_addrs(&p, v6, 587).await.unwrap(),
                vec![addr("[2606:4700::1111]:587")],
                "{v6}"
            );
        }
        for private in [
            "127.0.0.1",
            "10.0.0.7",
            "169.254.169.254",
            "::1",
            "[::1]",
            "[fd00::1]",
            "::ffff:127.0.0.1",
            // Numeric spellings the system resolver reads as 127.0.0.1.
            "2130706433",
            "0x7f.1",
        ] {
            let err = socket_addrs(&p, private, 25).await.unwrap_err();
            assert_eq!(
                err,
                EgressError::Private {
                    host: private.into()
                },
                "{private}"
            );
            assert!(!err.is_temporary());
        }
    }

    #[tokio::test]
    async fn localhost_names_are_loopback_without_asking_dns() {
        for name in ["localhost", "LocalHost", "imap.localhost", "localhost."] {
            let err = socket_addrs(&deny(), name, 143).await.unwrap_err();
            assert!(
                matches!(err, EgressError::Private { .. }),
                "{name}: {err:?}"
            );
            assert_eq!(
                socket_addrs(&open(), name, 143).await.unwrap(),
                vec![addr("127.0.0.1:143"), addr("[::1]:143")],
                "{name}"
            );
        }
    }

    #[tokio::test]
    async fn allow_private_and_allowed_hosts_open_private_targets() {
        assert_eq!(
            socket_addrs(&open(), "10.0.0.7", 25).await.unwrap(),
            vec![addr("10.0.0.7:25")]
        );
        let named = EgressPolicy {
            allowed_hosts: vec!["10.0.0.7".into(), "LOCALHOST".into()],
            ..deny()
        };
        assert_eq!(
            socket_addrs(&named, "10.0.0.7", 25).await.unwrap(),
            vec![addr("10.0.0.7:25")]
        );
        assert!(matches!(
            socket_addrs(&named, "10.0.0.8", 25).await,
            Err(EgressError::Private { .. })
        ));
        // A named host is allowed with every address it resolves to.
        assert_eq!(
            socket_addrs(&named, "localhost", 25).await.unwrap(),
            vec![addr("127.0.0.1:25"), addr("[::1]:25")]
        );
        // An allowed address lets only itself through, not its neighbours under a name.
        let only_v4 = EgressPolicy {
            allowed_hosts: vec!["127.0.0.1".into()],
            ..deny()
        };
        assert_eq!(
            socket_addrs(&only_v4, "localhost", 25).await.unwrap(),
            vec![addr("127.0.0.1:25")]
        );
    }

    #[tokio::test]
    async fn malformed_hosts_are_refused_before_any_lookup() {
        let too_long = format!("{}.example.com", "a".repeat(MAX_HOST_CHARS));
        for bad in [
            "",
            " ",
            " mail.example.com",
            "mail.example.com\n",
            "mail example.com",
            "mail.example.com:587",
            "user@mail.example.com",
            "mail.example.com/imap",
            "[::1",
            too_long.as_str(),
        ] {
            let err = socket_addrs(&open(), bad, 25).await.unwrap_err();
            assert_eq!(err, EgressError::Host, "{bad:?}");
            assert!(!err.is_temporary());
        }
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_says_so() {
        // `.invalid` never resolves (RFC 2606).
        let err = socket_addrs(&open(), "no-such-host.invalid", 25)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            EgressError::Resolve {
                host: "no-such-host.invalid".into()
            }
        );
        assert!(err.is_temporary());
    }

    #[test]
    fn international_names_are_resolved_in_ascii_form() {
        assert_eq!(
            classify("Mail.Bücher.example").unwrap(),
            Kind::Name("mail.xn--bcher-kva.example".into())
        );
    }
}
