//! Which targets the server may call: URL shape (http/https, no credentials, bounded length)
//! and address class. Only public unicast addresses are callable by default; the operator can
//! allow every private target (`allow_private`, as tests and all-internal deployments do) or
//! name the private hosts an integration may reach (`allowed_hosts`).

use crate::EgressError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// The longest URL accepted.
pub const MAX_URL_CHARS: usize = 2048;

/// What the operator allows beyond the public internet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EgressPolicy {
    /// Allow loopback, private and link-local targets (tests; servers whose integrations all
    /// live on an internal network).
    pub allow_private: bool,
    /// Host names or IP addresses allowed even though they are private (`crm.internal`,
    /// `10.0.0.7`), compared case-insensitively.
    pub allowed_hosts: Vec<String>,
}

/// A URL that passed the shape checks, with its host as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL.
    pub url: Url,
    /// Its host (a name, or an address without brackets).
    pub host: String,
}

impl EgressPolicy {
    /// Checks a URL's shape and, when its host is an address or a loopback name, the address.
    /// Names are checked again, address by address, when the call is made.
    pub fn target(&self, raw: &str) -> Result<Target, EgressError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.chars().count() > MAX_URL_CHARS {
            return Err(EgressError::Url);
        }
        let url = Url::parse(raw).map_err(|_| EgressError::Url)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EgressError::Scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EgressError::Credentials);
        }
        let (host, literal) = match url.host() {
            Some(Host::Domain(name)) => (name.to_ascii_lowercase(), None),
            Some(Host::Ipv4(ip)) => (ip.to_string(), Some(IpAddr::V4(ip))),
            Some(Host::Ipv6(ip)) => (ip.to_string(), Some(IpAddr::V6(ip))),
            None => return Err(EgressError::Url),
        };
        let loopback_name = host == "localhost" || host.ends_with(".localhost");
        let refused = match literal {
            Some(ip) => !self.permits(&host, ip),
            None => loopback_name && !self.permits(&host, IpAddr::V4(Ipv4Addr::LOCALHOST)),
        };
        if refused {
            return Err(EgressError::Private { host });
        }
        Ok(Target { url, host })
    }

    /// Whether a connection to `ip`, reached through `host`, is allowed.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        self.allow_private
            || is_public(ip)
            || self.allowed_hosts.iter().any(|allowed| {
                allowed.eq_ignore_ascii_case(host) || allowed.parse::<IpAddr>() == Ok(ip)
            })
    }
}

/// Whether `ip` is a public unicast address (not loopback, private, link-local, shared,
/// multicast, documentation, benchmarking, reserved or unspecified; IPv6 forms that embed an
/// IPv4 address are judged by it).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0                                  // "this network"
        || (a == 100 && (64..128).contains(&b))    // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0)          // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19))      // benchmarking
        || a >= 240; // reserved
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00               // unique local
        || (s[0] & 0xffc0) == 0xfe80               // link-local
        || (s[0] & 0xffc0) == 0xfec0               // site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8)      // documentation
        || (s[0] == 0x2001 && s[1] == 0)           // Teredo (hides an IPv4 peer)
        || s[..6] == [0; 6]; // IPv4-compatible and other reserved low addresses
    !refused
}

/// The IPv4 address inside IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
/// (`2002::/16`) addresses.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let from = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return Some(from(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(from(s[1], s[2]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny() -> EgressPolicy {
        EgressPolicy::default()
    }

    #[test]
    fn only_public_unicast_addresses_pass_by_default() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(!is_public(ip), "{private} passed");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public(ip), "{public} refused");
        }
    }

    #[test]
    fn urls_are_checked_for_shape_and_literal_addresses() {
        let p = deny();
        assert!(p.target("https://hooks.example.com/in?x=1").is_ok());
        assert_eq!(
            p.target("ftp://example.com/").unwrap_err(),
            EgressError::Scheme
        );
        assert_eq!(
            p.target("https://user:pw@example.com/").unwrap_err(),
            EgressError::Credentials
        );
        assert_eq!(p.target("not a url").unwrap_err(), EgressError::Url);
        assert_eq!(p.target("").unwrap_err(), EgressError::Url);
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(p.target(&long).unwrap_err(), EgressError::Url);
        for refused in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://localhost/",
            "http://api.localhost/",
            "http://169.254.169.254/latest/meta-data/",
            // Obfuscated forms the URL parser normalizes to 127.0.0.1.
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(
                matches!(p.target(refused), Err(EgressError::Private { .. })),
                "{refused} passed"
            );
        }
    }

    #[test]
    fn the_operator_can_allow_private_targets() {
        let all = EgressPolicy {
            allow_private: true,
            ..deny()
        };
        assert!(all.target("http://127.0.0.1:9/hook").is_ok());
        let named = EgressPolicy {
            allowed_hosts: vec!["CRM.internal".into(), "10.0.0.7".into()],
            ..deny()
        };
        assert!(named.permits("crm.internal", "10.9.9.9".parse().unwrap()));
        assert!(named.target("http://10.0.0.7/").is_ok());
        assert!(named.target("http://10.0.0.8/").is_err());
    }
}
