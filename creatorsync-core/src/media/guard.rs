//! SSRF guard for URL media: which addresses a [`super::UrlSource`] may
//! connect to.
//!
//! The host is resolved here, every resolved address is checked, and the
//! caller connects to the checked address (no second DNS lookup), so a DNS
//! answer that changes between check and connect (rebinding) cannot sneak
//! in. Redirect hops are checked the same way by the caller.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

use super::invalid;
use crate::Result;

/// Which otherwise-refused destinations are allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct GuardPolicy {
    /// Hosts (lowercase, exact match) allowed whatever they resolve to.
    pub(crate) allow_hosts: Vec<String>,
    /// Allow loopback addresses (127/8, ::1): tests and the emulator.
    pub(crate) allow_loopback: bool,
}

/// Whether `ip` is refused by default: loopback, private, link-local,
/// multicast, unspecified, broadcast, CGNAT (100.64/10), unique-local
/// (fc00::/7), cloud metadata, and IPv4-mapped/compatible forms of those.
///
/// ```
/// use creatorsync_core::media::guard::is_forbidden_ip;
/// assert!(is_forbidden_ip("169.254.169.254".parse().unwrap()));
/// assert!(is_forbidden_ip("::ffff:10.0.0.1".parse().unwrap()));
/// assert!(!is_forbidden_ip("93.184.216.34".parse().unwrap()));
/// ```
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            forbidden_v6(v6)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // includes 169.254.169.254 (metadata)
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || a >= 240 // reserved
}

/// AWS's IPv6 instance metadata address.
const EC2_METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let seg0 = ip.segments()[0];
    ip == EC2_METADATA_V6
        || ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (seg0 & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (seg0 & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (seg0 & 0xffc0) == 0xfec0 // deprecated site-local
        // IPv4-compatible ::a.b.c.d (deprecated) and NAT64 64:ff9b::/96
        || (ip.segments()[..6] == [0; 6] && forbidden_v4(ipv4_tail(ip)))
        || (ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && forbidden_v4(ipv4_tail(ip)))
}

fn ipv4_tail(ip: Ipv6Addr) -> Ipv4Addr {
    let o = ip.octets();
    Ipv4Addr::new(o[12], o[13], o[14], o[15])
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A URL without query or fragment (they may carry signatures), for errors.
pub(crate) fn redacted(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

/// Checks the scheme, resolves the host and checks every address. Returns
/// the address to connect to.
pub(crate) async fn resolve_checked(url: &Url, policy: &GuardPolicy) -> Result<SocketAddr> {
    let shown = redacted(url);
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            shown,
            format!(
                "the {:?} scheme is not allowed; use an http(s) URL",
                url.scheme()
            ),
        ));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let (host_name, addrs): (String, Vec<SocketAddr>) = match url.host() {
        Some(Host::Ipv4(ip)) => (ip.to_string(), vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(Host::Ipv6(ip)) => (ip.to_string(), vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(Host::Domain(d)) => {
            let found = tokio::net::lookup_host((d, port))
                .await
                .map_err(|e| invalid(shown.clone(), format!("cannot resolve host {d:?}: {e}")))?;
            (d.to_ascii_lowercase(), found.collect())
        }
        None => return Err(invalid(shown, "the URL has no host")),
    };
    let Some(first) = addrs.first().copied() else {
        return Err(invalid(
            shown,
            format!("host {host_name:?} has no addresses"),
        ));
    };
    let host_allowed = policy
        .allow_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&host_name));
    if !host_allowed {
        // Refuse if ANY address is forbidden: a host that also resolves to a
        // private address is not one we should talk to.
        for a in &addrs {
            let ip = a.ip();
            if is_forbidden_ip(ip) && !(policy.allow_loopback && is_loopback(ip)) {
                tracing::warn!(url = %shown, %ip, "refused media URL: private or reserved address");
                return Err(invalid(
                    shown,
                    format!(
                        "refused: host {host_name:?} resolves to {ip}, a private, loopback, link-local or reserved address; use a public URL (or allow this host explicitly)"
                    ),
                ));
            }
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "100.127.255.255",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:192.168.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(
                is_forbidden_ip(ip.parse().unwrap()),
                "{ip} should be forbidden"
            );
        }
        for ip in [
            "8.8.8.8",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "1.1.1.1",
        ] {
            assert!(
                !is_forbidden_ip(ip.parse().unwrap()),
                "{ip} should be allowed"
            );
        }
    }

    #[tokio::test]
    async fn schemes_and_policy() {
        let p = GuardPolicy::default();
        for u in ["file:///etc/passwd", "ftp://example.com/a", "gopher://x/"] {
            assert!(
                resolve_checked(&Url::parse(u).unwrap(), &p).await.is_err(),
                "{u}"
            );
        }
        let local = Url::parse("http://127.0.0.1:9/x?sig=SECRET").unwrap();
        let err = resolve_checked(&local, &p).await.unwrap_err().to_string();
        assert!(err.contains("refused") && !err.contains("SECRET"), "{err}");
        let lo = GuardPolicy {
            allow_loopback: true,
            ..GuardPolicy::default()
        };
        assert!(resolve_checked(&local, &lo).await.is_ok());
        let meta = Url::parse("http://169.254.169.254/latest/meta-data").unwrap();
        assert!(resolve_checked(&meta, &lo).await.is_err());
        let host = GuardPolicy {
            allow_hosts: vec!["127.0.0.1".into()],
            ..GuardPolicy::default()
        };
        assert!(resolve_checked(&local, &host).await.is_ok());
    }
}
